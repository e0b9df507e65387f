/**
 * ProcessDriver: a unit as a plain host process (like supervisord or PM2,
 * for things that must run on the host), each in its own cgroup with its
 * memory/pids/cpu limits, watched by a small detached shim (shim.ts) that
 * outlives the agent, writes the k8s-file log and records the exit.
 *
 * Per instance, under `<root>/<id>/`: `output.log` (handle.logPath),
 * `exit.json` (written once by the shim), `shim.log` (the shim's own
 * errors). The cgroup is `<cgroupParent>/<id>` in every hierarchy.
 *
 * Waiting: while this driver started the shim, its exit event wakes us at
 * once; after an agent restart, an inotify watch on the folder does, with a
 * slow poll of the shim's pid as a fallback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readShimFirstLine } from '../shim-parts.js';
import { DriverError } from '../../errors.js';
import type { Availability, Driver, ExecOptions, ExecResult, ExitResult, Handle, InstanceSpec, InstanceStatus, ProcessInfo } from '../driver.js';
import { Cgroup, detectCgroups, type CgroupLayout } from './cgroup.js';
import { makeProcessHandle, processData, type ProcessHandleData } from './handle.js';
import { readTop, resolveUser, runOnHost } from './host.js';
import { SHIM_SOURCE } from './shim.js';
import { isShimAlive, observe, readShimExit, toExitResult } from './state.js';

/** Where the driver keeps things. */
export interface ProcessDriverOptions {
  /** folder for instance folders and the shim, e.g. `/var/lib/berth/process` */
  root: string;
  /** cgroup path under each hierarchy (default `berth`) */
  cgroupParent?: string;
  /** cgroup mount point (default `/sys/fs/cgroup`) */
  cgroupBase?: string;
  perl?: string;
  /** an instance's log moves to `output.log.1` past this size (default 10 MiB; 0: never) */
  maxLogBytes?: number;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The process driver. */
export class ProcessDriver implements Driver {
  readonly kind = 'process';
  private readonly layout: CgroupLayout;
  private readonly parent: string;
  private readonly perl: string;
  private readonly children = new Map<string, ChildProcess>();
  private readonly waits = new Map<string, Promise<ExitResult>>();

  constructor(private readonly opts: ProcessDriverOptions) {
    this.layout = detectCgroups(opts.cgroupBase);
    this.parent = opts.cgroupParent ?? 'berth';
    this.perl = opts.perl ?? 'perl';
  }

  /** The cgroup of an instance (for tests and `berth top`). */
  cgroupOf(handle: Handle): Cgroup {
    return new Cgroup(this.layout, processData(handle).cgroup);
  }

  async available(): Promise<Availability> {
    const perl = await runOnHost([this.perl, '-MTime::HiRes', '-e', 'print "ok"'], { timeoutMs: 5000 }).catch(() => null);
    if (perl?.stdout !== 'ok') return { ok: false, detail: 'perl with Time::HiRes is missing (the process shim needs it)', hint: 'apt-get install perl (scripts/setup does)' };
    if (process.getuid?.() !== 0) return { ok: false, detail: 'needs root to create cgroups', hint: 'run the agent as root' };
    const ctl = this.layout.version === 2 ? `cgroup v2 (${this.layout.controllers.join(', ')})` : `cgroup v1 (${this.layout.controllers.join(', ')})`;
    return { ok: true, detail: `host processes in ${ctl}, perl shim` };
  }

  async start(spec: InstanceSpec): Promise<Handle> {
    const dir = join(this.opts.root, spec.id);
    if (existsSync(join(dir, 'exit.json')) || existsSync(join(dir, 'output.log'))) {
      throw new DriverError('E_PROCESS_EXISTS', `instance ${spec.id} already exists`, { unit: spec.unit }, { hint: 'destroy it first, or use a new instance id' });
    }
    mkdirSync(dir, { recursive: true });
    const shim = this.ensureShim();
    const rel = `${this.parent}/${spec.id}`;
    const cgroup = new Cgroup(this.layout, rel);
    try { cgroup.create(); } catch (err) {
      throw new DriverError('E_CGROUP', `${spec.unit}: cannot create cgroup ${rel}: ${(err as Error).message}`, { unit: spec.unit }, { hint: 'the process driver needs root and a writable /sys/fs/cgroup' });
    }
    const missedLimits = cgroup.applyLimits(spec.resources);
    const user = spec.user ? resolveUser(spec.user) : undefined;
    if (spec.user && !user) throw new DriverError('E_USER', `${spec.unit}: unknown user ${spec.user}`, { unit: spec.unit }, { hint: 'use a name from /etc/passwd or a numeric uid[:gid]' });
    const logPath = join(dir, 'output.log');
    const procs = cgroup.procsFiles();
    const args = [shim, logPath, String(this.opts.maxLogBytes ?? 10 << 20), join(dir, 'exit.json'), String(procs.length), ...procs,
      user ? String(user.uid) : '-', user ? String(user.gid) : '-', spec.workdir ?? '-', '--', ...spec.argv];
    const errFd = openSync(join(dir, 'shim.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.perl, args, { detached: true, stdio: ['ignore', 'pipe', errFd], env: { PATH: DEFAULT_PATH, ...spec.env } });
    } finally { closeSync(errFd); }
    const first = await readShimFirstLine(child);
    if (!first.startsWith('started ')) {
      const why = first.startsWith('error ') ? first.slice(6) : readFileSync(join(dir, 'shim.log'), 'utf8').trim() || 'the shim exited';
      await cgroup.remove();
      rmSync(dir, { recursive: true, force: true }); // no handle was given out: nobody else would clean it
      throw new DriverError('E_PROCESS_START', `${spec.unit}: ${why}`, { unit: spec.unit }, { hint: 'check run.command: the program must exist on the host and be executable' });
    }
    const pid = Number(first.slice(8));
    const data: ProcessHandleData = { dir, shimPid: child.pid!, cgroup: rel, missedLimits, ignored: ignoredParts(spec) };
    this.children.set(spec.id, child);
    child.unref();
    return makeProcessHandle(spec.id, spec.unit, pid, Date.now(), logPath, data);
  }

  wait(handle: Handle): Promise<ExitResult> {
    let p = this.waits.get(handle.id);
    if (!p) {
      p = this.waitFor(handle);
      this.waits.set(handle.id, p);
    }
    return p;
  }

  private async waitFor(handle: Handle): Promise<ExitResult> {
    const d = processData(handle);
    const cgroup = this.cgroupOf(handle);
    const result = () => {
      const e = readShimExit(d.dir);
      return e ? toExitResult(e, cgroup.oomKills()) : null;
    };
    const now = result();
    if (now) return now;
    const child = this.children.get(handle.id);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.ref(); // a pending wait keeps the agent alive, as any awaited I/O does
      await new Promise((r) => child.once('exit', r));
      child.unref();
      return result() ?? unknownExit();
    }
    // without its shim, the instance has ended when its cgroup is empty (how, nobody saw)
    const over = () => !isShimAlive(d.shimPid, d.dir) && cgroup.pids().length === 0 && readShimExit(d.dir) === null;
    if (!child && over()) return unknownExit();
    return new Promise((resolve) => {
      let watcher: ReturnType<typeof watch> | undefined;
      const check = (final: boolean) => {
        const r = result();
        if (r || final) {
          clearInterval(timer);
          watcher?.close();
          resolve(r ?? unknownExit());
        }
      };
      try { watcher = watch(d.dir, () => check(false)); } catch { /* poll only */ }
      const timer = setInterval(() => check(over()), 200);
      check(false);
    });
  }

  async stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult> {
    const done = this.wait(handle);
    const cgroup = this.cgroupOf(handle);
    if (readShimExit(processData(handle).dir)) return done;
    signalGroup(handle.pid, signal);
    if (cgroup.isFrozen()) cgroup.setFrozen(false); // a frozen process gets the signal once thawed
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(() => r(true), timeoutMs); })]);
    clearTimeout(timer);
    if (timedOut) await cgroup.killAll();
    return done;
  }

  async kill(handle: Handle, signal: string): Promise<void> {
    if (signal === 'SIGKILL') { await this.cgroupOf(handle).killAll(); return; }
    signalGroup(handle.pid, signal);
  }

  async pause(handle: Handle): Promise<void> {
    this.live(handle);
    this.cgroupOf(handle).setFrozen(true);
  }

  async unpause(handle: Handle): Promise<void> {
    this.cgroupOf(handle).setFrozen(false);
  }

  async exec(handle: Handle, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.live(handle);
    const user = options.user ? resolveUser(options.user) : undefined;
    return runOnHost(argv, { ...options, env: { PATH: DEFAULT_PATH, ...options.env }, uid: user?.uid, gid: user?.gid });
  }

  async inspect(handle: Handle): Promise<InstanceStatus> {
    const d = processData(handle);
    const status = observe(d.dir, d.shimPid, this.cgroupOf(handle), handle.pid);
    if (d.missedLimits.length) status.detail = { ...status.detail, limitsNotApplied: d.missedLimits };
    if (d.ignored?.length) status.detail = { ...status.detail, ignoredOnHost: d.ignored };
    return status;
  }

  async top(handle: Handle): Promise<ProcessInfo[]> {
    return readTop(this.cgroupOf(handle).pids());
  }

  async recover(handle: Handle): Promise<Handle | null> {
    const d = processData(handle);
    if (readShimExit(d.dir) || isShimAlive(d.shimPid, d.dir) || this.cgroupOf(handle).pids().length) return handle;
    return null;
  }

  async destroy(handle: Handle): Promise<void> {
    const d = processData(handle);
    const cgroup = this.cgroupOf(handle);
    await cgroup.killAll();
    for (let i = 0; i < 300 && isShimAlive(d.shimPid, d.dir); i++) await new Promise((r) => setTimeout(r, 10));
    if (isShimAlive(d.shimPid, d.dir)) try { process.kill(d.shimPid, 'SIGKILL'); } catch { /* gone */ }
    await cgroup.remove();
    rmSync(d.dir, { recursive: true, force: true });
    this.children.delete(handle.id);
    this.waits.delete(handle.id);
  }

  private ensureShim(): string {
    const path = join(this.opts.root, 'berth-shim.pl');
    mkdirSync(this.opts.root, { recursive: true });
    let current = '';
    try { current = readFileSync(path, 'utf8'); } catch { /* first use */ }
    if (current !== SHIM_SOURCE) {
      writeFileSync(`${path}.tmp`, SHIM_SOURCE, { mode: 0o755 });
      renameSync(`${path}.tmp`, path);
    }
    return path;
  }

  private live(handle: Handle): void {
    if (readShimExit(processData(handle).dir)) throw new DriverError('E_NOT_RUNNING', `${handle.unit} (${handle.id}) is not running`, { unit: handle.unit });
  }
}

/** What a plain host process cannot honour, said in inspect rather than silently dropped. */
function ignoredParts(spec: InstanceSpec): string[] {
  const out: string[] = [];
  if (spec.layers?.length || spec.disk) out.push('image (runs on the host filesystem)');
  if (spec.mounts.length) out.push('volumes');
  if (spec.network.ports.length) out.push('ports (the process binds host ports itself)');
  if (spec.readonlyRootfs) out.push('read-only root');
  if (spec.init) out.push('init (a host process is not PID 1)');
  if (spec.capAdd?.length || spec.capDrop?.length) out.push('capabilities');
  return out;
}

function unknownExit(): ExitResult {
  return { code: null, signal: null, oomKilled: false, finishedAt: Date.now() };
}

/** Signals the main process's group (it is a session leader), else the process. */
function signalGroup(pid: number | undefined, signal: string): void {
  if (!pid) return;
  try { process.kill(-pid, signal as NodeJS.Signals); } catch {
    try { process.kill(pid, signal as NodeJS.Signals); } catch { /* already gone */ }
  }
}

