/**
 * UnitLifecycle: the engine under a UnitSupervisor — one unit's state, its
 * current instance, its restart tracker and timer, and the cycle start →
 * watch → exit → restart decision. Every operation runs one at a time (a
 * per-unit queue), so an exit arriving during a stop, or a restart during a
 * start, cannot interleave. The operations a user or the agent asks for
 * (stop, restart, reload, pause, recover…) are in unit-supervisor.ts.
 */
import { randomBytes } from 'node:crypto';
import type { UnitSpec } from '../config/unit-spec.js';
import { BerthError } from '../errors.js';
import type { ExitResult, Handle } from '../runtime/driver.js';
import type { RestartEventCause } from './events.js';
import { RestartTracker, isSuccess } from './restart-tracker.js';
import { isLive, isPending, transition, type UnitEvent, type UnitState } from './state.js';
import type { UnitFileState, UnitRuntime } from './unit-runtime.js';
import type { UnitHealth } from './unit-health.js';

/** How many log lines an exit event carries. */
export const LOG_LINES_ON_EXIT = 10;

/** One unit's life cycle; extended by UnitSupervisor with the operations asked from outside. */
export abstract class UnitLifecycle {
  state: UnitState = 'created';
  desired: 'up' | 'down' = 'down';
  handle?: Handle;
  pendingInstance?: string;
  /** an apply is removing this unit (persisted, see UnitRecord.removing) */
  removing = false;
  tracker = new RestartTracker();
  timerAt?: number;
  lastExit?: ExitResult & { reason?: string };
  health?: UnitHealth;
  private timer?: unknown;
  private queue: Promise<unknown> = Promise.resolve();
  /** set while we stop the instance ourselves, so its exit is not a crash */
  protected stopping = false;
  /** what the last unit.waiting said (dependency and condition), so it is not repeated */
  private waitingFor?: string;

  constructor(
    public spec: UnitSpec,
    public files: UnitFileState[],
    protected readonly rt: UnitRuntime,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The driver this unit runs on. */
  get driver(): UnitRuntime['driver'] {
    return this.rt.driver;
  }

  /** Runs `fn` after every earlier operation on this unit has finished. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  protected move(event: UnitEvent): void {
    const from = this.state;
    this.state = transition(from, event);
    if (this.state !== 'waiting') this.waitingFor = undefined;
    if (from !== this.state) this.rt.onStateChange(this.name);
  }

  /** Sets a state without a transition: only for restoring a persisted record. */
  protected restore(state: UnitState): void {
    this.state = state;
  }

  protected clearTimer(): void {
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  protected schedule(at: number, fn: () => void): void {
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.rt.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      fn();
    }, Math.max(0, at - this.rt.clock.now()));
  }

  /**
   * Marks the unit as waiting for a dependency (it starts when the agent says
   * so). `unit.waiting` is emitted when what it waits for changes, not each
   * time a dependency moves.
   */
  wait(dep: string, condition: 'started' | 'healthy' | 'completed', depState: string): void {
    this.desired = 'up';
    if (this.state !== 'waiting') {
      if (isLive(this.state) || this.state === 'starting' || this.state === 'stopping') return;
      if (isPending(this.state)) this.clearTimer();
      this.move('wait');
    }
    const reason = `${dep} ${condition}`;
    if (reason === this.waitingFor) return;
    this.waitingFor = reason;
    this.rt.emit({ type: 'unit.waiting', unit: this.name, dep, condition, state: depState });
    this.rt.persist();
  }

  /** Starts the unit if it is not running. `cause` is recorded in the ledger. */
  start(cause: RestartEventCause = 'manual'): Promise<void> {
    this.desired = 'up';
    return this.serial(() => this.doStart(cause));
  }

  protected async doStart(_cause: RestartEventCause): Promise<void> {
    if (isLive(this.state) || this.state === 'starting') return;
    this.clearTimer();
    this.move(this.state === 'waiting' ? 'dep-ready' : isPending(this.state) ? 'backoff-done' : 'start');
    const id = `${this.name}-${randomBytes(3).toString('hex')}`;
    this.rt.emit({ type: 'unit.starting', unit: this.name, instance: id, attempt: this.tracker.runs.length + 1 });
    this.pendingInstance = id;
    this.rt.persist(true);
    const release = await this.rt.startSlot();
    let handle: Handle;
    try {
      const instance = await this.rt.prepare(this.spec, id);
      handle = await this.rt.driver.start(instance);
    } catch (err) {
      release();
      this.pendingInstance = undefined;
      const message = err instanceof BerthError ? err.message + (err.hint ? ` (${err.hint})` : '') : String(err);
      const now = this.rt.clock.now();
      this.tracker.recordStart(now);
      await this.afterExit({ code: 127, signal: null, oomKilled: false, finishedAt: now }, [`failed to start: ${message}`], `failed to start: ${message}`);
      return;
    }
    release();
    this.handle = handle;
    this.pendingInstance = undefined;
    this.tracker.recordStart(handle.startedAt);
    this.move('started');
    this.rt.persist(true);
    this.rt.emit({ type: 'unit.started', unit: this.name, instance: handle.id, ...(handle.pid ? { pid: handle.pid } : {}) });
    this.watch(handle);
    this.health?.begin();
  }

  /** Keeps an ended instance's log with the unit, then removes the instance. */
  protected async retire(handle: Handle): Promise<void> {
    try {
      this.rt.archiveLog?.(handle);
    } catch {
      // a log that cannot be archived must not keep the instance around
    }
    await this.rt.driver.destroy(handle).catch(() => undefined);
  }

  /** Follows an instance until it exits. */
  protected watch(handle: Handle): void {
    this.rt.driver.wait(handle).then(
      (exit) => void this.serial(() => this.onExit(handle, exit)),
      (err) => void this.serial(() => this.onExit(handle, { code: null, signal: null, oomKilled: false, finishedAt: this.rt.clock.now() }, String(err))),
    );
  }

  protected async onExit(handle: Handle, exit: ExitResult, note?: string): Promise<void> {
    if (this.handle?.id !== handle.id || this.stopping) return;
    this.health?.end();
    const lines = await this.rt.logTail(handle, LOG_LINES_ON_EXIT).catch(() => []);
    await this.retire(handle);
    this.handle = undefined;
    await this.afterExit(exit, note ? [...lines, note] : lines, undefined, handle);
  }

  /** Records an exit (or a failed start) and acts on the restart tracker's decision. */
  protected async afterExit(exit: ExitResult, lastLogLines: string[], startError?: string, handle?: Handle): Promise<void> {
    if (this.state !== 'exited') this.move('exited');
    const ranMs = handle ? Math.max(0, Math.round(exit.finishedAt - handle.startedAt)) : 0;
    this.rt.emit({
      type: 'unit.exited', unit: this.name, ...(handle ? { instance: handle.id } : {}),
      code: exit.code, signal: exit.signal, oomKilled: exit.oomKilled, lastLogLines, ranMs,
    });
    const healthFailure = this.health?.takeFailure();
    const now = this.rt.clock.now();
    const decision = this.tracker.decide(exit, this.spec.restart, now, this.rt.random, {
      ...(healthFailure !== undefined ? { healthFailure } : {}),
      ...(this.spec.resources.memoryBytes ? { memoryLimitBytes: this.spec.resources.memoryBytes } : {}),
    });
    const reason = startError ? decision.reason.replace(/^exited with code 127/, startError) : decision.reason;
    this.lastExit = { ...exit, reason };
    if (decision.action === 'restart' && this.desired === 'up') {
      this.move('backoff');
      const until = now + decision.delayMs;
      this.rt.emit({ type: 'unit.restarting', unit: this.name, delayMs: decision.delayMs, reason, cause: decision.cause, attempt: decision.attempt });
      this.rt.emit({ type: 'unit.backing-off', unit: this.name, delayMs: decision.delayMs, until, reason });
      this.schedule(until, () => void this.serial(() => this.doStart(decision.cause)));
    } else if (decision.action === 'give-up-until' && this.desired === 'up') {
      this.move('give-up');
      this.rt.emit({ type: 'unit.crash-looping', unit: this.name, until: decision.until, reason });
      this.schedule(decision.until, () => {
        this.tracker.reset(this.rt.clock.now());
        void this.serial(() => this.doStart(decision.cause));
      });
    } else if (this.spec.kind === 'job' && isSuccess(exit)) {
      this.move('complete');
      this.rt.emit({ type: 'unit.completed', unit: this.name, durationMs: ranMs });
    } else if (!isSuccess(exit)) {
      this.move('fail');
      this.rt.emit({ type: 'unit.failed', unit: this.name, reason });
    }
    // a service that stays down by its policy is not wanted up any more (a restarted agent leaves it; apply or start bring it back)
    if (decision.action === 'stay-down' && this.spec.kind !== 'job') this.desired = 'down';
    this.rt.persist();
  }

  /** Stops the unit: its stop signal, the timeout, then SIGKILL. `byUser` keeps it down across agent restarts. */
  stop(cause: RestartEventCause = 'manual', byUser = true): Promise<void> {
    this.desired = 'down';
    if (byUser) this.tracker.stopRequested = true;
    return this.serial(() => this.doStop(cause));
  }

  protected async doStop(cause: RestartEventCause): Promise<void> {
    this.clearTimer();
    this.health?.end();
    if (isPending(this.state)) {
      this.move('stop');
      this.rt.emit({ type: 'unit.stopped', unit: this.name, cause, reason: 'a pending start was cancelled' });
    } else if (isLive(this.state) && this.handle) {
      const handle = this.handle;
      this.move('stop');
      this.rt.emit({ type: 'unit.stopping', unit: this.name, cause, signal: this.spec.stop.signal });
      this.stopping = true;
      try {
        const exit = await this.rt.driver.stop(handle, this.spec.stop.signal, this.spec.stop.timeoutMs);
        this.lastExit = { ...exit, reason: `stopped (${cause})` };
        await this.retire(handle);
      } finally {
        this.stopping = false;
        this.handle = undefined;
      }
      this.move('stopped');
      const x = this.lastExit;
      this.rt.emit({ type: 'unit.stopped', unit: this.name, cause, ...(x ? { exit: { code: x.code, signal: x.signal, oomKilled: x.oomKilled } } : {}) });
    }
    this.rt.persist(true);
  }

  /** Stops timers and health checks without touching the instance (agent shutdown). */
  detach(): void {
    this.clearTimer();
    this.health?.end();
  }
}
