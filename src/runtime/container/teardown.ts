/**
 * Removes everything a container left on the host, in reverse order of
 * creation: processes (runtime kill, then the cgroup), the runtime's state,
 * network attachment and netns, the overlay mount, cgroups, conmon, the
 * container directory. Every step tolerates "already gone", so it is
 * idempotent and also cleans half-made containers after a crash.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachRequest, Networker } from '../network/networker.js';
import { cgroupPids, killCgroup, removeCgroups } from './cgroup.js';
import { readExitStatus } from './exit-file.js';
import { containerPaths } from './handle.js';
import { deleteNetns } from './netns.js';
import type { OciRuntime } from './oci-runtime.js';
import { isMountPoint, unmountOverlay } from './overlay.js';
import { processAlive } from './proc-info.js';
import type { ContainerStep, TraceFn } from './trace.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the attach request a container saved, if any. */
function savedAttach(handleFile: string): AttachRequest | null {
  try {
    const h = JSON.parse(readFileSync(handleFile, 'utf8')) as { data?: { attach?: AttachRequest | null } };
    return h.data?.attach ?? null;
  } catch {
    return null;
  }
}

/** Where removed containers' folders wait for their files to be deleted (see removeInBackground). */
export function trashDir(root: string): string {
  return join(root, 'containers-trash');
}

/**
 * Removes a container's folder: renamed out of the way at once (the id is
 * free again), its files deleted off the agent's thread afterwards, as
 * Docker's overlay2 driver does with `-removing` dirs — a big upper dir
 * must not hold up a restart. Whatever a crash leaves in the trash is
 * deleted by `cleanupLeftovers`.
 */
function removeInBackground(root: string, dir: string, id: string): void {
  const trash = trashDir(root);
  mkdirSync(trash, { recursive: true });
  const to = join(trash, `${id}-${process.pid}-${Date.now().toString(36)}`);
  try {
    renameSync(dir, to);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  void rm(to, { recursive: true, force: true }).catch(() => { /* cleanupLeftovers retries */ });
}

/** The conmon pid recorded for a container, if conmon is still alive. */
export function liveConmonPid(root: string, id: string): number | null {
  const p = containerPaths(root, id);
  try {
    const pid = Number(readFileSync(p.conmonPidFile, 'utf8').trim());
    return processAlive(pid, id) ? pid : null;
  } catch {
    return null;
  }
}

/** Tears one container down. Returns what could not be removed (empty when clean). */
export async function teardown(root: string, id: string, runtime: OciRuntime, networker?: Networker, attach?: AttachRequest | null, trace?: TraceFn): Promise<string[]> {
  const mark = (step: ContainerStep) => trace?.(id, step, performance.now());
  const p = containerPaths(root, id);
  const left: string[] = [];
  killCgroup(id);
  mark('killed');
  // independent steps run side by side: `delete --force` (also kills whatever the cgroup kill missed)
  // with the overlay unmount (lazy if a dying process still holds it), and the network
  const network = (async () => {
    const req = attach ?? savedAttach(p.handleFile);
    if (req && networker) {
      try {
        await networker.detach(req);
      } catch (err) {
        left.push(`network: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    try {
      await deleteNetns(id);
    } catch (err) {
      left.push(String(err instanceof Error ? err.message : err));
    }
    mark('network-detached');
  })();
  // the rootfs is mounted only in the container's mount namespace (gone with its processes); a host
  // mount is from an older berth or a failed create. A container whose processes are all gone needs no
  // runtime call: its state directory is all that is left of it (cgroups are removed below).
  const runtimeAndRootfs = isMountPoint(p.rootfs)
    ? runtime.deleteAndUnmount(id, p.rootfs).then(() => unmountOverlay(p.rootfs))
    : runtime.forgetStopped(id, cgroupPids(id).length > 0) ? Promise.resolve() : runtime.delete(id, true);
  await Promise.all([runtimeAndRootfs.then(() => mark('runtime-deleted')), network]);
  // processes may take a moment to leave their cgroups after SIGKILL
  for (let i = 0; i < 50 && cgroupPids(id).length > 0; i++) {
    killCgroup(id);
    await sleep(10);
  }
  left.push(...removeCgroups(id).map((d) => `cgroup ${d}`));
  mark('cgroups-removed');
  const conmon = liveConmonPid(root, id);
  if (conmon !== null) {
    // conmon exits on its own once the container is gone; give it a moment to write the exit file, no more
    for (let i = 0; i < 50 && processAlive(conmon, id) && readExitStatus(p.exitFile) === null; i++) await sleep(10);
    if (processAlive(conmon, id)) {
      try {
        process.kill(conmon, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
  if (isMountPoint(p.rootfs)) left.push(`mount ${p.rootfs} is still mounted`);
  else if (existsSync(p.dir)) {
    try {
      removeInBackground(root, p.dir, id);
    } catch (err) {
      left.push(`dir ${p.dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  mark('removed');
  return left;
}
