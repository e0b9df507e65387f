/**
 * The BuildRunner over the container driver: each RUN step is a throw-away
 * container (no network: loopback only) on the step's layers. Its output is
 * tailed from conmon's log while it runs; after a clean exit the caller
 * reads the upper dir (minus the empty mount points the runtime had to
 * create), then the container is destroyed whatever happened (failure,
 * abort, a thrown error).
 */
import { execFile } from 'node:child_process';
import { lstat, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DriverError } from '../errors.js';
import type { BuildRunner, BuildRunRequest, BuildRunResult } from '../image/build-exec/build-runner.js';
import { containerPaths } from '../runtime/container/handle.js';
import type { Driver, Handle, InstanceSpec } from '../runtime/driver.js';
import { parseLogLine } from './unit-logs.js';

const execFileP = promisify(execFile);

/** Mount points the runtime creates in the rootfs, deepest first: not part of a RUN's layer when they are new and empty. */
const MOUNT_POINTS = ['/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/sys/fs/cgroup', '/sys/fs', '/sys', '/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev'];

/** Start errors that are the command's fault: reported like a failed RUN (exit 127), not as a build error. */
const COMMAND_ERRORS = new Set(['E_COMMAND_NOT_FOUND', 'E_COMMAND_NOT_EXECUTABLE', 'E_BAD_USER']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Directories a mount point may have made the overlay copy up; empty and unchanged, they add nothing to a layer. */
const PARENTS = ['/etc', '/sys/fs', '/sys', '/dev'];

/** True when overlay marked `dir` opaque (deleted and made again: its emptiness is a change). */
async function isOpaque(dir: string): Promise<boolean> {
  try {
    const { stdout } = await execFileP('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', '--', dir]);
    return stdout.trim() === 'y';
  } catch {
    return false;
  }
}

/**
 * Removes from an upper dir what only the runtime's mount points put there:
 * new, empty mount points (in no lower layer), and copied-up parents left
 * empty (not opaque, same mode and owner as below).
 */
export async function scrubMountPoints(upper: string, lowers: readonly string[], extra: readonly string[] = []): Promise<void> {
  const below = async (p: string) => {
    for (const l of lowers) {
      const st = await lstat(join(l, p)).catch(() => undefined);
      if (st) return st;
    }
    return undefined;
  };
  const ancestors = extra.flatMap((p) => p.split('/').filter(Boolean).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`));
  for (const p of [...new Set([...MOUNT_POINTS, ...PARENTS, ...ancestors])].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const path = join(upper, p);
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    const empty = st.isDirectory() ? (await readdir(path)).length === 0 : st.isFile() && st.size === 0;
    if (!empty) continue;
    const lower = await below(p);
    const same = lower?.isDirectory() && st.isDirectory() && lower.mode === st.mode && lower.uid === st.uid && lower.gid === st.gid && !(await isOpaque(path));
    if (!lower || same) await rm(path, { recursive: true, force: true });
  }
}

/** Reads the container log from `offset`, turning k8s-file lines into output text. */
async function readLog(path: string, offset: number, onOutput: (chunk: string) => void, rest: { text: string }): Promise<number> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return offset;
  try {
    const { size } = await fh.stat();
    if (size <= offset) return offset;
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    rest.text += buf.toString('utf8');
    let nl: number;
    let out = '';
    while ((nl = rest.text.indexOf('\n')) >= 0) {
      const raw = rest.text.slice(0, nl);
      rest.text = rest.text.slice(nl + 1);
      if (!raw) continue;
      const partial = /^\S+ (stdout|stderr) P /.test(raw);
      out += parseLogLine(raw).text + (partial ? '' : '\n');
    }
    if (out) onOutput(out);
    return size;
  } finally {
    await fh.close();
  }
}

/** Runs RUN steps as containers of `driver` (a ContainerDriver) under `root`. */
export class ContainerBuildRunner implements BuildRunner {
  constructor(private readonly driver: Driver, private readonly root: string, private readonly pollMs = 50) {}

  async run<T>(req: BuildRunRequest, onOutput: (chunk: string) => void, capture: (upperDir: string) => Promise<T>, signal?: AbortSignal): Promise<BuildRunResult<T>> {
    const env: Record<string, string> = {};
    for (const kv of req.env) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const spec: InstanceSpec = {
      id: req.id, unit: req.id, layers: req.layers, argv: req.argv, env,
      ...(req.user ? { user: req.user } : {}), workdir: req.workdir || '/',
      hostname: 'berth-build', resources: {}, mounts: [], network: { attach: [], ports: [] }, labels: { 'berth.build': 'true' },
    };
    let handle: Handle;
    try {
      handle = await this.driver.start(spec);
    } catch (err) {
      if (err instanceof DriverError && COMMAND_ERRORS.has(err.code)) {
        onOutput(`${err.message}\n`);
        return { exitCode: 127 };
      }
      throw err;
    }
    const kill = () => void this.driver.kill(handle, 'SIGKILL').catch(() => undefined);
    signal?.addEventListener('abort', kill);
    try {
      if (signal?.aborted) kill();
      const rest = { text: '' };
      let offset = 0;
      let ended = false;
      const exit = this.driver.wait(handle).finally(() => (ended = true));
      while (!ended) {
        offset = await readLog(handle.logPath, offset, onOutput, rest);
        await Promise.race([exit, sleep(this.pollMs)]);
      }
      const result = await exit;
      await readLog(handle.logPath, offset, onOutput, rest);
      if (rest.text) onOutput(parseLogLine(rest.text).text);
      if (result.code !== 0 || signal?.aborted) return { exitCode: result.code, ...(result.signal ? { signal: result.signal } : {}) };
      const upper = containerPaths(this.root, req.id).upper;
      await scrubMountPoints(upper, req.layers);
      return { exitCode: 0, captured: await capture(upper) };
    } finally {
      signal?.removeEventListener('abort', kill);
      await this.driver.destroy(handle);
    }
  }
}
