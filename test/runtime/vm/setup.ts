/**
 * Shared set-up for VM integration tests: a driver on a fresh temp state
 * dir (short: the QMP socket path must fit a unix socket), a spec builder
 * over the busybox test layer, and a check that no QEMU or shim was left.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Handle, InstanceSpec } from '../../../src/runtime/driver.js';
import { VmDriver, type VmDriverOptions } from '../../../src/runtime/vm/driver.js';
import { pidsMentioning } from '../../../src/runtime/vm/state.js';
import { busyboxLayer } from '../../helpers/busybox-layer.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';
import { freePort } from '../../helpers/free-port.js';
export { freePort };

/** Fails loudly unless root, QEMU, qemu-img, perl, busybox and the guest kernel are here. */
export function requireVmTools(): void {
  requireRoot();
  requireTool('qemu-system-x86_64', 'apt-get install qemu-system-x86 (scripts/setup does)');
  requireTool('qemu-img', 'apt-get install qemu-utils (scripts/setup does)');
  requireTool('perl');
  requireTool('busybox');
  if (!existsSync('/var/cache/berth/kernel/vmlinux')) throw new Error('this test needs the guest kernel at /var/cache/berth/kernel/vmlinux\nhint: run scripts/fetch-kernel (scripts/setup does)');
}

/** Live pids whose command line mentions `marker` (the driver's own finder). */
export { pidsMentioning };

/** A new driver on its own temp root; `cleanup()` kills whatever a failed test left and removes the root. */
export function makeVmDriver(extra: Partial<VmDriverOptions> = {}): { driver: VmDriver; root: string; cleanup: () => Promise<number[]> } {
  const root = mkdtempSync('/tmp/bt-vm-');
  const driver = new VmDriver({ root, ...extra });
  const cleanup = async () => {
    const left = pidsMentioning(root);
    for (const pid of left) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await new Promise((r) => setTimeout(r, 100));
    rmSync(root, { recursive: true, force: true });
    return left;
  };
  return { driver, root, cleanup };
}

/** A unique instance id. */
export function uniqueId(prefix = 'bt'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A spec over the busybox layer running `sh -c script`. */
export function vmSpec(script: string, more: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id: uniqueId(), unit: 'vmtest', layers: [busyboxLayer()], argv: ['sh', '-c', script],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, hostname: 'guest', resources: {}, mounts: [],
    network: { attach: [], ports: [] }, vm: { cpus: 1, memoryBytes: 256 << 20, disksBytes: [], cloudInit: false }, ...more,
  };
}

/** The texts of a handle's log lines. */
export function logTexts(handle: Handle): string[] {
  try {
    return readFileSync(handle.logPath, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' '));
  } catch { return []; }
}


/** Polls until `probe` is truthy or throws after `ms`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve().then(probe).catch(() => undefined);
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { join };
