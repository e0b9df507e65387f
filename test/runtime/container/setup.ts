/**
 * Shared set-up for container integration tests: a driver on a fresh temp
 * state dir, a spec builder over the busybox layer with the fake services
 * bind-mounted at /fixtures, and a check that nothing was left on the host.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { ContainerDriver, type ContainerDriverOptions } from '../../../src/runtime/container/driver.js';
import { teardown } from '../../../src/runtime/container/teardown.js';
import type { RuntimeInfo } from '../../../src/runtime/container/runtime-detect.js';
import { busyboxLayer } from '../../helpers/busybox-layer.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';

/** Host path of the tiny fake services (mounted at /fixtures in test containers). */
export const FIXTURES = new URL('../../fixtures/bin', import.meta.url).pathname;

/** Fails loudly unless root, crun/runc, conmon, ip and busybox are here. */
export function requireContainerTools(): void {
  requireRoot();
  requireTool('conmon');
  requireTool('ip');
  requireTool('busybox');
  try {
    requireTool('crun');
  } catch {
    requireTool('runc');
  }
}

/** `BERTH_TEST_RUNTIME=runc` runs the suite on runc instead of the detected runtime (the fallback path). */
function forcedRuntime(): RuntimeInfo | undefined {
  if (process.env.BERTH_TEST_RUNTIME !== 'runc') return undefined;
  const path = requireTool('runc');
  return { name: 'runc', version: 'forced', path, command: path, fix: 'none', why: 'BERTH_TEST_RUNTIME=runc' };
}

/**
 * A new driver on its own temp state dir. `cleanup()` tears down any
 * container a failed test left (never `rm -rf` through a mounted rootfs), then removes the dir.
 */
export function makeDriver(extra: Partial<ContainerDriverOptions> | ((root: string) => Partial<ContainerDriverOptions>) = {}): { driver: ContainerDriver; root: string; cleanup: () => Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), 'bt-root-'));
  chmodSync(root, 0o711); // user-namespaced containers run as an unprivileged host uid
  const driver = new ContainerDriver({ root, pollMs: 200, runtime: forcedRuntime(), ...(typeof extra === 'function' ? extra(root) : extra) });
  const cleanup = async () => {
    const dir = join(root, 'containers');
    const runtime = await driver.runtime();
    for (const id of existsSync(dir) ? readdirSync(dir) : []) await teardown(root, id, runtime);
    if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(root)) rmSync(root, { recursive: true, force: true });
  };
  return { driver, root, cleanup };
}

/** A unique instance id. */
export function uniqueId(prefix = 'bt'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A spec running `argv` on the busybox layer, with /fixtures mounted read-only. */
export function busyboxSpec(argv: string[], over: Partial<InstanceSpec> = {}): InstanceSpec {
  const id = over.id ?? uniqueId();
  return {
    id,
    unit: 'test',
    layers: [busyboxLayer()],
    argv,
    env: {},
    hostname: id,
    resources: {},
    mounts: [{ type: 'bind', source: FIXTURES, target: '/fixtures', readonly: true }],
    network: { attach: [], ports: [] },
    ...over,
  };
}

/** Everything on the host that still mentions `id` (mount, netns, cgroup, process). Empty when clean. */
export function leftovers(id: string, root: string): string[] {
  const out: string[] = [];
  if (readFileSync('/proc/self/mountinfo', 'utf8').includes(id)) out.push('mount');
  if (existsSync(`/run/netns/berth-${id}`)) out.push('netns');
  for (const h of readdirSync('/sys/fs/cgroup')) if (existsSync(join('/sys/fs/cgroup', h, 'berth', id))) out.push(`cgroup ${h}`);
  if (existsSync(join(root, 'containers', id))) out.push('dir');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)) out.push(`process ${pid}`);
    } catch { /* exited */ }
  }
  return out;
}

/** Reads a container's k8s-file log and returns the text of each line (partial `P` records joined to the next). */
export function logLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const out: string[] = [];
  let partial = '';
  for (const record of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const [, , tag, ...rest] = record.split(' ');
    partial += rest.join(' ');
    if (tag === 'F') {
      out.push(partial);
      partial = '';
    }
  }
  return out;
}

/** Polls `cond` every 20 ms until true or `ms` passed. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}
