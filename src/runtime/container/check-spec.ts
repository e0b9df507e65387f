/**
 * Checks an InstanceSpec before anything is created on the host, so bad
 * input fails with one clear DriverError and leaves nothing behind. Pure.
 */
import { DriverError } from '../../errors.js';
import type { InstanceSpec } from '../driver.js';
import { resolveCapabilities } from './capabilities.js';

/** Docker's minimum memory limit; below it a container cannot even start its runtime. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Returns the capabilities to grant, or throws the DriverError that explains what is wrong. */
export function checkSpec(spec: InstanceSpec): string[] {
  const unit = spec.unit;
  if (!ID_RE.test(spec.id)) {
    throw new DriverError('E_CONTAINER_ID', `invalid container id "${spec.id}"`, { unit }, { hint: 'ids are 1-63 characters: letters, digits, "_", ".", "-"' });
  }
  if (!spec.layers || spec.layers.length === 0) {
    throw new DriverError('E_NO_ROOTFS', `container ${spec.id} has no image layers`, { unit }, { hint: 'set image.from in the unit (a container needs a root filesystem)' });
  }
  if (spec.argv.length === 0 || spec.argv[0] === '') {
    throw new DriverError('E_NO_COMMAND', `container ${spec.id} has no command`, { unit }, { hint: 'set run.command in the unit, or use an image with a default command' });
  }
  const mem = spec.resources.memoryBytes;
  if (mem !== undefined && mem < MIN_MEMORY_BYTES) {
    throw new DriverError('E_MEMORY_TOO_SMALL', `memory limit ${mem} bytes is below the minimum of 6 MiB`, { unit }, { hint: 'set resources.memory to at least 6Mi' });
  }
  const cpus = spec.resources.cpus;
  if (cpus !== undefined && !(cpus > 0)) {
    throw new DriverError('E_BAD_CPUS', `cpus must be above 0 (got ${cpus})`, { unit }, { hint: 'e.g. resources.cpus: 0.5' });
  }
  const pids = spec.resources.pids;
  if (pids !== undefined && !(Number.isInteger(pids) && pids > 0)) {
    throw new DriverError('E_BAD_PIDS', `pids limit must be a positive integer (got ${pids})`, { unit });
  }
  const caps = resolveCapabilities(spec.capAdd, spec.capDrop);
  if (!caps.ok) {
    const parts = [
      ...caps.unknown.map((c) => `unknown capability ${c}`),
      ...caps.refused.map((c) => `${c} cannot be granted on this host`),
    ];
    throw new DriverError('E_CAPABILITY', parts.join('; '), { unit }, { hint: 'use names like NET_ADMIN (see capabilities(7)); CAP_SYS_RESOURCE is never granted' });
  }
  for (const m of spec.mounts) {
    if (!m.target.startsWith('/')) throw new DriverError('E_MOUNT', `mount target must be absolute: ${m.target}`, { unit });
  }
  return caps.caps;
}
