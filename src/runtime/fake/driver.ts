/**
 * FakeDriver: a Driver for fast, exact supervisor tests. Each unit gets a
 * script of behaviours (exit with N after T, never exit, ignore SIGTERM,
 * fail to start, OOM…): the unit's first start follows the first, the
 * second start the second, and the last one repeats. Time is the injected
 * clock (a FakeClock in tests), and every call is recorded in `calls`.
 */
import { DriverError } from '../../errors.js';
import type { Availability, Driver, ExecOptions, ExecResult, ExitResult, Handle, InstanceSpec, InstanceStatus, ProcessInfo } from '../driver.js';
import { makeFakeHandle, type FakeHandleData } from './handle.js';
import { FakeHost, statusOf, type FakeInstance } from './state.js';

/** How one fake instance behaves. With no fields it runs until stopped and exits by its signal. */
export interface FakeBehaviour {
  /** exits by itself after this long (omit: never) */
  exitAfterMs?: number;
  /** its exit code then (default 0) */
  exitCode?: number;
  /** dies of this signal instead (e.g. 'SIGSEGV') */
  exitSignal?: string;
  /** is OOM-killed at exitAfterMs (SIGKILL, oomKilled) */
  oom?: boolean;
  /** ignores every signal but SIGKILL: stop needs its timeout */
  ignoreSigterm?: boolean;
  /** exits with this code on a stop/kill signal (default: killed by the signal) */
  exitCodeOnSignal?: number;
  /** start() fails with this message */
  failToStart?: string;
  /** start() resolves after this long */
  startDelayMs?: number;
  /** lines it "prints" (kept in memory, readable with `logs`) */
  logLines?: string[];
  /** answers exec (default: exit 0, no output) */
  exec?: (argv: string[]) => ExecResult;
}

/** One recorded call. */
export interface FakeCall {
  method: string;
  id?: string;
  unit?: string;
  args: unknown[];
  at: number;
}

/** The clock the fake uses (FakeClock or the system clock). */
export interface FakeDriverClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

/** Options: the clock, and a shared FakeHost to simulate an agent restart. */
export interface FakeDriverOptions {
  clock: FakeDriverClock;
  host?: FakeHost;
}

/** The fake driver. */
export class FakeDriver implements Driver {
  readonly kind = 'fake';
  readonly calls: FakeCall[] = [];
  readonly host: FakeHost;
  private readonly scripts = new Map<string, FakeBehaviour[]>();
  private readonly clock: FakeDriverClock;

  constructor(opts: FakeDriverOptions) {
    this.clock = opts.clock;
    this.host = opts.host ?? new FakeHost();
  }

  /** Scripts a unit: start k follows behaviours[k], the last one repeats. */
  script(unit: string, ...behaviours: FakeBehaviour[]): this {
    this.scripts.set(unit, behaviours);
    return this;
  }

  /** The lines an instance "printed". */
  logs(id: string): string[] {
    return [...(this.host.instances.get(id)?.logs ?? [])];
  }

  /** Calls of one method (optionally for one unit), for assertions. */
  callsOf(method: string, unit?: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method && (unit === undefined || c.unit === unit));
  }

  /** Makes a running instance exit now, as if it crashed (test helper). */
  crash(id: string, exit: Partial<Omit<ExitResult, 'finishedAt'>> = {}): void {
    const inst = this.host.instances.get(id);
    if (inst) this.finish(inst, { code: exit.code ?? 1, signal: exit.signal ?? null, oomKilled: exit.oomKilled ?? false });
  }

  /** Removes an instance behind the driver's back, as drift (test helper). */
  vanish(id: string): void {
    const inst = this.host.instances.get(id);
    if (!inst) return;
    this.finish(inst, { code: null, signal: 'SIGKILL', oomKilled: false });
    this.host.instances.delete(id);
  }

  async available(): Promise<Availability> {
    this.record('available', undefined, []);
    return { ok: true, detail: 'fake driver (in memory)' };
  }

  async start(spec: InstanceSpec): Promise<Handle> {
    this.record('start', spec, [spec]);
    const n = this.host.starts.get(spec.unit) ?? 0;
    this.host.starts.set(spec.unit, n + 1);
    const list = this.scripts.get(spec.unit) ?? [{}];
    const behaviour = list[Math.min(n, list.length - 1)] ?? {};
    if (behaviour.startDelayMs) await new Promise<void>((r) => this.clock.setTimeout(r, behaviour.startDelayMs!));
    if (behaviour.failToStart !== undefined) {
      throw new DriverError('E_FAKE_START', `${spec.unit}: ${behaviour.failToStart}`, { unit: spec.unit, recoverable: true });
    }
    if (this.host.instances.has(spec.id)) throw new DriverError('E_FAKE_EXISTS', `instance ${spec.id} already exists`, { unit: spec.unit });
    const inst: FakeInstance = {
      spec, behaviour, state: 'running', pid: this.host.nextPid++, startedAt: this.clock.now(),
      logs: [...(behaviour.logLines ?? [])], waiters: [],
    };
    this.host.instances.set(spec.id, inst);
    if (behaviour.exitAfterMs !== undefined) this.armExit(inst, behaviour.exitAfterMs);
    const data: FakeHandleData = { behaviour: n, host: this.host.name };
    return makeFakeHandle(spec.id, spec.unit, inst.pid, inst.startedAt, data);
  }

  wait(handle: Handle): Promise<ExitResult> {
    this.record('wait', handle, []);
    const inst = this.host.instances.get(handle.id);
    if (!inst) return Promise.resolve({ code: null, signal: null, oomKilled: false, finishedAt: this.clock.now() });
    if (inst.exit) return Promise.resolve(inst.exit);
    return new Promise((resolve) => inst.waiters.push(resolve));
  }

  async stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult> {
    this.record('stop', handle, [signal, timeoutMs]);
    const inst = this.host.instances.get(handle.id);
    if (!inst) return { code: null, signal: null, oomKilled: false, finishedAt: this.clock.now() };
    if (inst.exit) return inst.exit;
    const done = this.wait(handle);
    this.signal(inst, signal);
    if (!inst.exit) {
      inst.killTimer = this.clock.setTimeout(() => this.finish(inst, { code: null, signal: 'SIGKILL', oomKilled: false }), timeoutMs);
    }
    return done;
  }

  async kill(handle: Handle, signal: string): Promise<void> {
    this.record('kill', handle, [signal]);
    const inst = this.host.instances.get(handle.id);
    if (inst && !inst.exit) this.signal(inst, signal);
  }

  async pause(handle: Handle): Promise<void> {
    this.record('pause', handle, []);
    const inst = this.live(handle);
    if (inst.state === 'paused') return;
    inst.state = 'paused';
    if (inst.exitTimer !== undefined) {
      this.clock.clearTimeout(inst.exitTimer);
      inst.exitTimer = undefined;
      inst.pausedRemaining = Math.max(0, (inst.exitDueAt ?? 0) - this.clock.now());
    }
  }

  async unpause(handle: Handle): Promise<void> {
    this.record('unpause', handle, []);
    const inst = this.live(handle);
    if (inst.state !== 'paused') return;
    inst.state = 'running';
    if (inst.pausedRemaining !== undefined) this.armExit(inst, inst.pausedRemaining);
    inst.pausedRemaining = undefined;
  }

  async exec(handle: Handle, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.record('exec', handle, [argv, options]);
    const inst = this.live(handle);
    return inst.behaviour.exec?.(argv) ?? { code: 0, signal: null, stdout: '', stderr: '' };
  }

  async inspect(handle: Handle): Promise<InstanceStatus> {
    this.record('inspect', handle, []);
    return statusOf(this.host.instances.get(handle.id));
  }

  async top(handle: Handle): Promise<ProcessInfo[]> {
    this.record('top', handle, []);
    const inst = this.host.instances.get(handle.id);
    if (!inst || inst.exit) return [];
    return [{ pid: inst.pid, ppid: 1, user: inst.spec.user ?? 'root', command: inst.spec.argv.join(' ') }];
  }

  async recover(handle: Handle): Promise<Handle | null> {
    this.record('recover', handle, []);
    return this.host.instances.has(handle.id) ? handle : null;
  }

  async destroy(handle: Handle): Promise<void> {
    this.record('destroy', handle, []);
    const inst = this.host.instances.get(handle.id);
    if (!inst) return;
    if (!inst.exit) this.finish(inst, { code: null, signal: 'SIGKILL', oomKilled: false });
    this.host.instances.delete(handle.id);
  }

  private signal(inst: FakeInstance, signal: string): void {
    if (signal !== 'SIGKILL' && inst.behaviour.ignoreSigterm) return;
    const code = signal === 'SIGKILL' ? undefined : inst.behaviour.exitCodeOnSignal;
    this.finish(inst, code === undefined ? { code: null, signal, oomKilled: false } : { code, signal: null, oomKilled: false });
  }

  private armExit(inst: FakeInstance, ms: number): void {
    inst.exitDueAt = this.clock.now() + ms;
    inst.exitTimer = this.clock.setTimeout(() => {
      const b = inst.behaviour;
      if (b.oom) this.finish(inst, { code: null, signal: 'SIGKILL', oomKilled: true });
      else if (b.exitSignal) this.finish(inst, { code: null, signal: b.exitSignal, oomKilled: false });
      else this.finish(inst, { code: b.exitCode ?? 0, signal: null, oomKilled: false });
    }, ms);
  }

  private finish(inst: FakeInstance, exit: Omit<ExitResult, 'finishedAt'>): void {
    if (inst.exit) return;
    inst.exit = { ...exit, finishedAt: this.clock.now() };
    inst.state = 'exited';
    for (const t of [inst.exitTimer, inst.killTimer]) if (t !== undefined) this.clock.clearTimeout(t);
    inst.exitTimer = inst.killTimer = undefined;
    for (const w of inst.waiters.splice(0)) w(inst.exit);
  }

  private live(handle: Handle): FakeInstance {
    const inst = this.host.instances.get(handle.id);
    if (!inst || inst.exit) throw new DriverError('E_NOT_RUNNING', `${handle.unit} (${handle.id}) is not running`, { unit: handle.unit });
    return inst;
  }

  private record(method: string, h: Handle | InstanceSpec | undefined, args: unknown[]): void {
    this.calls.push({ method, id: h?.id, unit: h?.unit, args, at: this.clock.now() });
  }
}
