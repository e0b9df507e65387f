/**
 * ContainerDriver: runs an instance as an OCI container — overlay rootfs,
 * own namespaces, cgroup limits — through conmon and crun (else runc).
 * conmon is fully detached, so the agent may exit and come back: `recover`
 * re-attaches from the persisted Handle and `wait` watches conmon's exit file.
 * Status is derived on every `inspect`, never stored.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';
import type {
  Availability, Driver, ExecOptions, ExecResult, ExitResult, Handle, InstanceSpec, InstanceStatus, ProcessInfo,
} from '../driver.js';
import type { Networker } from '../network/networker.js';
import { cgroupPids, isFrozen, killCgroup, oomKillCount, readUsage } from './cgroup.js';
import { createContainer } from './create-container.js';
import { ensureCreateWrapper } from './create-wrapper.js';
import { readExitStatus, waitForFile } from './exit-file.js';
import { containerPaths, handleData } from './handle.js';
import { OciRuntime } from './oci-runtime.js';
import { processAlive, readProc } from './proc-info.js';
import { resolveUser } from './resolve-user.js';
import { runCommand } from './run-command.js';
import { detectRuntime, type RuntimeInfo } from './runtime-detect.js';
import { deriveStatus, toExitResult } from './state.js';
import type { TraceFn } from './trace.js';
import { liveConmonPid, teardown, trashDir } from './teardown.js';

/** Options for a ContainerDriver. */
export interface ContainerDriverOptions {
  /** berth's state directory (BERTH_ROOT); containers live under `<root>/containers/` */
  root: string;
  networker?: Networker;
  /** conmon binary (default: `conmon` on PATH) */
  conmon?: string;
  /** use this runtime instead of probing (tests, benchmarks) */
  runtime?: RuntimeInfo;
  /** conmon truncates a container's log when it grows past this (default 10 MiB) */
  logSizeMax?: number;
  /** host id range for `userns: true` containers (default 100000 + 65536) */
  usernsRange?: { hostId: number; size: number };
  /** how often `wait` re-checks besides inotify (default 1000 ms) */
  pollMs?: number;
  /** timing marks of start/destroy steps (benchmarks, diagnosis) */
  trace?: TraceFn;
}

/** A file as the running container sees it (its rootfs is mounted only in its own mount namespace); '' when unreadable. */
function readContainerFile(pid: number, path: string): string {
  try {
    return readFileSync(`/proc/${pid}/root${path}`, 'utf8');
  } catch {
    return '';
  }
}

/** The container Driver (`isolation: container`). */
export class ContainerDriver implements Driver {
  readonly kind = 'container';
  private runtimePromise?: Promise<OciRuntime>;
  private readonly waits = new Map<string, Promise<ExitResult>>();

  constructor(private readonly options: ContainerDriverOptions) {}

  /** The OCI runtime in use (probed once, cached in memory and under the state dir). */
  runtime(): Promise<OciRuntime> {
    this.runtimePromise ??= (async () => {
      const info = this.options.runtime ?? (await detectRuntime(this.options.root));
      const create = ensureCreateWrapper(join(this.options.root, 'runtime'), info.name, info.path, info.fix === 'hybrid-cgroup-wrapper');
      return new OciRuntime(info, join(this.options.root, 'runtime', info.name), create);
    })();
    return this.runtimePromise;
  }

  /**
   * The runtime that created `handle`'s container: the current one, or (when
   * the host's runtime changed across an agent restart) the recorded one's binary.
   */
  private async runtimeOf(handle: Handle): Promise<OciRuntime> {
    const current = await this.runtime();
    const name = handleData(handle).runtime;
    if (name === current.info.name || (name !== 'crun' && name !== 'runc')) return current;
    const found = await runCommand('sh', ['-c', `command -v ${name}`]);
    const path = found.code === 0 ? found.stdout.trim() : name;
    return new OciRuntime({ ...current.info, name, path, command: path, fix: 'none' }, join(this.options.root, 'runtime', name));
  }

  async available(): Promise<Availability> {
    const conmon = await runCommand(this.options.conmon ?? 'conmon', ['--version']);
    if (conmon.code !== 0) return { ok: false, detail: 'conmon is not installed', hint: 'run scripts/setup (apt-get install conmon)' };
    try {
      const rt = await this.runtime();
      const conmonVersion = /version (\S+)/.exec(conmon.stdout)?.[1] ?? '?';
      const fix = rt.info.fix === 'none' ? '' : ` (${rt.info.fix})`;
      return { ok: true, detail: `${rt.info.name} ${rt.info.version}${fix} + conmon ${conmonVersion}: ${rt.info.why}` };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err), hint: 'run scripts/setup (apt-get install crun runc)' };
    }
  }

  async start(spec: InstanceSpec): Promise<Handle> {
    const runtime = await this.runtime();
    const ctx = {
      root: this.options.root, runtime, conmon: this.options.conmon ?? 'conmon', networker: this.options.networker,
      logSizeMax: this.options.logSizeMax ?? 10 * 1024 * 1024, usernsRange: this.options.usernsRange ?? { hostId: 100_000, size: 65_536 }, trace: this.options.trace,
    };
    return createContainer(ctx, spec, async (data) => {
      await teardown(this.options.root, spec.id, runtime, this.options.networker, data.attach, this.options.trace);
    });
  }

  wait(handle: Handle): Promise<ExitResult> {
    let w = this.waits.get(handle.id);
    if (!w) {
      w = this.waitOnce(handle);
      this.waits.set(handle.id, w);
    }
    return w;
  }

  private async waitOnce(handle: Handle): Promise<ExitResult> {
    const d = handleData(handle);
    const p = containerPaths(d.root, handle.id);
    const gone = () => !processAlive(d.conmonPid, handle.id) && !processAlive(handle.pid);
    const status = await waitForFile(p.exitFile, gone, this.options.pollMs ?? 1000);
    return toExitResult(status, this.oomKilled(handle), this.exitedAt(p.exitFile));
  }

  private oomKilled(handle: Handle): boolean {
    const p = containerPaths(handleData(handle).root, handle.id);
    return existsSync(p.oomFile) || oomKillCount(handle.id) > 0;
  }

  private exitedAt(exitFile: string): number {
    try {
      return statSync(exitFile).mtimeMs;
    } catch {
      return Date.now();
    }
  }

  async stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult> {
    const rt = await this.runtimeOf(handle);
    const state = await rt.state(handle.id);
    if (state && (state.status === 'running' || state.status === 'paused' || state.status === 'created')) {
      await rt.kill(handle.id, signal);
      // a frozen process only sees the signal once thawed
      if (state.status === 'paused') await rt.resume(handle.id);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([this.wait(handle).then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); })]);
      clearTimeout(timer); // a pending timer would hold a short-lived process (a CLI, a test) open until the timeout
      if (!exited) {
        await rt.kill(handle.id, 'SIGKILL', true);
        killCgroup(handle.id);
      }
    }
    return this.wait(handle);
  }

  async kill(handle: Handle, signal: string): Promise<void> {
    const r = await (await this.runtimeOf(handle)).kill(handle.id, signal);
    if (r.code !== 0 && readExitStatus(containerPaths(handleData(handle).root, handle.id).exitFile) === null) {
      throw new DriverError('E_CONTAINER_KILL', `cannot send ${signal} to ${handle.id}: ${r.stderr.trim()}`, { unit: handle.unit, recoverable: true });
    }
  }

  async pause(handle: Handle): Promise<void> {
    const r = await (await this.runtimeOf(handle)).pause(handle.id);
    if (r.code !== 0) throw new DriverError('E_CONTAINER_PAUSE', `cannot pause ${handle.id}: ${r.stderr.trim()}`, { unit: handle.unit }, { hint: 'only a running container can be paused' });
  }

  async unpause(handle: Handle): Promise<void> {
    const r = await (await this.runtimeOf(handle)).resume(handle.id);
    if (r.code !== 0) throw new DriverError('E_CONTAINER_UNPAUSE', `cannot unpause ${handle.id}: ${r.stderr.trim()}`, { unit: handle.unit }, { hint: 'only a paused container can be unpaused' });
  }

  async exec(handle: Handle, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (isFrozen(handle.id)) {
      throw new DriverError('E_CONTAINER_PAUSED', `cannot exec in ${handle.id}: it is paused`, { unit: handle.unit, recoverable: true }, { hint: 'unpause it first' });
    }
    let user: string | undefined;
    if (options.user !== undefined) {
      const u = resolveUser(options.user, readContainerFile(handle.pid ?? 0, '/etc/passwd'), readContainerFile(handle.pid ?? 0, '/etc/group'));
      if (!u.ok) throw new DriverError('E_BAD_USER', `cannot exec as ${options.user}: ${u.reason}`, { unit: handle.unit });
      user = `${u.user.uid}:${u.user.gid}`;
    }
    const r = await (await this.runtimeOf(handle)).exec(handle.id, argv, { env: options.env, user, cwd: options.workdir, input: options.input, timeoutMs: options.timeoutMs });
    return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  async inspect(handle: Handle): Promise<InstanceStatus> {
    const d = handleData(handle);
    const p = containerPaths(d.root, handle.id);
    const runtime = await (await this.runtimeOf(handle)).state(handle.id);
    const exitStatus = readExitStatus(p.exitFile);
    const status = deriveStatus({ runtime, exitStatus, exitedAt: this.exitedAt(p.exitFile), oomKilled: this.oomKilled(handle), usage: readUsage(handle.id) });
    if (d.addresses && status.state !== 'gone' && status.state !== 'exited') status.addresses = d.addresses;
    status.detail = { runtime: d.runtime, conmonPid: d.conmonPid, conmonAlive: processAlive(d.conmonPid, handle.id), netns: d.netnsPath, bundle: p.dir };
    return status;
  }

  async top(handle: Handle): Promise<ProcessInfo[]> {
    const passwd = readContainerFile(handle.pid ?? 0, '/etc/passwd');
    const names = new Map(passwd.split('\n').filter(Boolean).map((l) => { const f = l.split(':'); return [Number(f[2]), f[0] ?? ''] as const; }));
    const out: ProcessInfo[] = [];
    for (const pid of cgroupPids(handle.id)) {
      const s = readProc(pid);
      if (s) out.push({ pid: s.pid, ppid: s.ppid, user: names.get(s.uid) ?? String(s.uid), cpuPercent: s.cpuPercent, rssBytes: s.rssBytes, command: s.command });
    }
    return out;
  }

  async recover(handle: Handle): Promise<Handle | null> {
    const d = handleData(handle);
    const p = containerPaths(d.root, handle.id);
    if (!existsSync(p.dir)) return null;
    if (readExitStatus(p.exitFile) !== null || processAlive(d.conmonPid, handle.id)) return handle;
    const state = await (await this.runtimeOf(handle)).state(handle.id);
    return state && state.status !== 'stopped' ? handle : null;
  }

  async destroy(handle: Handle): Promise<void> {
    const d = handleData(handle);
    const left = await teardown(d.root, handle.id, await this.runtimeOf(handle), this.options.networker, d.attach, this.options.trace);
    this.waits.delete(handle.id);
    if (left.length > 0) {
      throw new DriverError('E_CONTAINER_DESTROY', `could not remove everything of ${handle.id}: ${left.join('; ')}`, { unit: handle.unit, recoverable: true }, { hint: 'retry; if it persists, check `mount`, `ip netns` and /sys/fs/cgroup/*/berth' });
    }
  }

  /**
   * Removes containers a crashed agent left half-made or orphaned: every
   * `<root>/containers/<id>` without a living conmon, unless its id is in
   * `keep` (finished containers whose handle the supervisor still holds).
   * Returns the ids removed.
   */
  async cleanupLeftovers(keep: Iterable<string> = []): Promise<string[]> {
    const kept = new Set(keep);
    rmSync(trashDir(this.options.root), { recursive: true, force: true });
    const dir = join(this.options.root, 'containers');
    if (!existsSync(dir)) return [];
    const removed: string[] = [];
    const runtime = await this.runtime();
    for (const id of readdirSync(dir)) {
      if (kept.has(id) || liveConmonPid(this.options.root, id) !== null) continue;
      await teardown(this.options.root, id, runtime, this.options.networker);
      removed.push(id);
    }
    return removed;
  }
}

/** Convenience for a starting agent: `new ContainerDriver({root, networker}).cleanupLeftovers(keep)`. */
export function cleanupLeftovers(root: string, options: { networker?: Networker; keep?: Iterable<string> } = {}): Promise<string[]> {
  return new ContainerDriver({ root, networker: options.networker }).cleanupLeftovers(options.keep);
}
