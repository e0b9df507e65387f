/**
 * UnitSupervisor: one unit's life. It owns the unit's state (state.ts), its
 * current instance handle, its restart tracker and its timers, and calls the
 * driver. Every operation on a unit runs one at a time (a per-unit queue), so
 * an exit arriving during a stop, or a restart during a start, cannot
 * interleave. It emits events and never prints.
 */
import { randomBytes } from 'node:crypto';
import type { UnitSpec } from '../config/unit-spec.js';
import { BerthError, DriverError } from '../errors.js';
import type { ExitResult, Handle } from '../runtime/driver.js';
import type { RestartEventCause } from './events.js';
import { RestartTracker, isSuccess } from './restart-tracker.js';
import { isLive, isPending, transition, type UnitEvent, type UnitState } from './state.js';
import type { UnitFileState, UnitRuntime } from './unit-runtime.js';
import type { UnitHealth } from './unit-health.js';

/** What is persisted per unit so a restarted agent carries on where it was. */
export interface UnitRecord {
  spec: UnitSpec;
  files: UnitFileState[];
  state: UnitState;
  /** the agent wants it up (apply/start) or down (stop/down) */
  desired: 'up' | 'down';
  handle?: Handle;
  /** an instance id whose start was begun but not confirmed (crash in between) */
  pendingInstance?: string;
  tracker: ReturnType<RestartTracker['toJSON']>;
  /** epoch ms of a pending restart or the end of a cool-down */
  timerAt?: number;
  lastExit?: ExitResult & { reason?: string };
}

const LOG_LINES_ON_EXIT = 10;

/** Supervises one unit. */
export class UnitSupervisor {
  state: UnitState = 'created';
  desired: 'up' | 'down' = 'down';
  handle?: Handle;
  pendingInstance?: string;
  tracker = new RestartTracker();
  timerAt?: number;
  lastExit?: ExitResult & { reason?: string };
  health?: UnitHealth;
  private timer?: unknown;
  private queue: Promise<unknown> = Promise.resolve();
  /** set while we stop the instance ourselves, so its exit is not a crash */
  private stopping = false;

  constructor(
    public spec: UnitSpec,
    public files: UnitFileState[],
    private readonly rt: UnitRuntime,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The driver this unit runs on. */
  get driver(): UnitRuntime['driver'] {
    return this.rt.driver;
  }

  /** Runs `fn` after every earlier operation on this unit has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private move(event: UnitEvent): void {
    const from = this.state;
    this.state = transition(from, event);
    if (from !== this.state) this.rt.onStateChange(this.name);
  }

  /** Sets a state without a transition: only for restoring a persisted record. */
  private restore(state: UnitState): void {
    this.state = state;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private schedule(at: number, fn: () => void): void {
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.rt.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      fn();
    }, Math.max(0, at - this.rt.clock.now()));
  }

  /** Marks the unit as waiting for a dependency (it starts when the agent says so). */
  wait(dep: string, condition: 'started' | 'healthy' | 'completed', depState: string): void {
    this.desired = 'up';
    if (this.state !== 'waiting') {
      if (isLive(this.state) || this.state === 'starting' || this.state === 'stopping') return;
      if (isPending(this.state)) this.clearTimer();
      this.move('wait');
    }
    this.rt.emit({ type: 'unit.waiting', unit: this.name, dep, condition, state: depState });
    this.rt.persist();
  }

  /** Starts the unit if it is not running. `cause` is recorded in the ledger. */
  start(cause: RestartEventCause = 'manual'): Promise<void> {
    this.desired = 'up';
    return this.serial(() => this.doStart(cause));
  }

  private async doStart(_cause: RestartEventCause): Promise<void> {
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
  private async retire(handle: Handle): Promise<void> {
    try {
      this.rt.archiveLog?.(handle);
    } catch {
      // a log that cannot be archived must not keep the instance around
    }
    await this.rt.driver.destroy(handle).catch(() => undefined);
  }

  /** Follows an instance until it exits. */
  private watch(handle: Handle): void {
    this.rt.driver.wait(handle).then(
      (exit) => void this.serial(() => this.onExit(handle, exit)),
      (err) => void this.serial(() => this.onExit(handle, { code: null, signal: null, oomKilled: false, finishedAt: this.rt.clock.now() }, String(err))),
    );
  }

  private async onExit(handle: Handle, exit: ExitResult, note?: string): Promise<void> {
    if (this.handle?.id !== handle.id || this.stopping) return;
    this.health?.end();
    const lines = await this.rt.logTail(handle, LOG_LINES_ON_EXIT).catch(() => []);
    await this.retire(handle);
    this.handle = undefined;
    await this.afterExit(exit, note ? [...lines, note] : lines, undefined, handle);
  }

  /** Records an exit (or a failed start) and acts on the restart tracker's decision. */
  private async afterExit(exit: ExitResult, lastLogLines: string[], startError?: string, handle?: Handle): Promise<void> {
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

  private async doStop(cause: RestartEventCause): Promise<void> {
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
      this.rt.emit({ type: 'unit.stopped', unit: this.name, cause });
    }
    this.rt.persist(true);
  }

  /** Stop then start; `cause` says why (manual, template, dependency, drift, health). */
  restart(cause: RestartEventCause = 'manual', nextSpec?: UnitSpec): Promise<void> {
    this.desired = 'up';
    return this.serial(async () => {
      this.rt.emit({ type: 'unit.restarting', unit: this.name, delayMs: 0, reason: `restart (${cause})`, cause });
      await this.doStop(cause);
      // the new spec is recorded only once the old instance is gone: a kill -9 in between
      // must not leave the old instance running under the new spec's name
      if (nextSpec) this.spec = nextSpec;
      await this.doStart(cause);
    });
  }

  /** Reloads a running unit: its reload command, else its reload signal. */
  reload(templates: string[] = []): Promise<void> {
    return this.serial(async () => {
      if (!isLive(this.state) || !this.handle) {
        throw new BerthError('E_NOT_RUNNING', `${this.name} is ${this.state}; only a running unit can reload`, { hint: `berth start ${this.name}` });
      }
      const { command, signal } = this.spec.reload;
      if (command) {
        const r = await this.rt.driver.exec(this.handle, command, { timeoutMs: 30_000 });
        if (r.code !== 0) throw new DriverError('E_RELOAD_FAILED', `reload command of ${this.name} exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`, { unit: this.name, recoverable: true });
        this.rt.emit({ type: 'unit.reloaded', unit: this.name, how: 'command', detail: command.join(' '), templates });
      } else {
        await this.rt.driver.kill(this.handle, signal);
        this.rt.emit({ type: 'unit.reloaded', unit: this.name, how: 'signal', detail: signal, templates });
      }
    });
  }

  pause(): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'paused') return;
      if (!isLive(this.state) || !this.handle) throw new BerthError('E_NOT_RUNNING', `${this.name} is ${this.state}; only a running unit can be paused`);
      await this.rt.driver.pause(this.handle);
      this.health?.end();
      this.move('pause');
      this.rt.emit({ type: 'unit.paused', unit: this.name });
      this.rt.persist();
    });
  }

  unpause(): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'paused' || !this.handle) throw new BerthError('E_NOT_PAUSED', `${this.name} is ${this.state}, not paused`);
      await this.rt.driver.unpause(this.handle);
      this.move('unpause');
      this.rt.emit({ type: 'unit.unpaused', unit: this.name });
      this.health?.begin();
      this.rt.persist();
    });
  }

  /** Clears a failed or crash-looping unit's history and, if it is wanted up, starts it again. */
  reset(): Promise<void> {
    return this.serial(async () => {
      this.tracker.reset(this.rt.clock.now());
      if (['exited', 'failed', 'completed', 'backing-off', 'crash-looping'].includes(this.state)) {
        this.clearTimer();
        this.move('reset');
      }
      this.rt.emit({ type: 'unit.reset', unit: this.name });
      this.rt.persist();
      if (this.desired === 'up' && this.state === 'created') await this.doStart('manual');
    });
  }

  /**
   * Compares what runs with what berth believes (derive, don't store): an
   * instance paused, resumed or removed behind berth's back is reported as
   * drift and corrected — thawed, marked, or restarted per policy.
   */
  checkDrift(): Promise<void> {
    return this.serial(async () => {
      const handle = this.handle;
      if (!handle || !(isLive(this.state))) return;
      const seen = await this.rt.driver.inspect(handle).catch(() => undefined);
      if (!seen) return;
      const drift = (detail: string, action: string) => this.rt.emit({ type: 'unit.drift', unit: this.name, detail, action });
      if (seen.state === 'paused' && this.state !== 'paused') {
        drift('its instance was frozen outside berth', 'thawed');
        await this.rt.driver.unpause(handle);
      } else if (seen.state === 'running' && this.state === 'paused') {
        drift('its instance was thawed outside berth', 'marked running');
        this.move('unpause');
        this.health?.begin();
        this.rt.persist();
      } else if (seen.state === 'gone' || seen.state === 'exited') {
        drift(`its instance ${handle.id} is ${seen.state === 'gone' ? 'gone (removed outside berth)' : 'no longer running'}`, 'handled as an exit: restart policy applies');
        await this.onExit(handle, seen.exit ?? { code: null, signal: null, oomKilled: false, finishedAt: this.rt.clock.now() }, 'drift: the instance disappeared');
      }
    });
  }

  /** Health said unhealthy and the unit asks for a restart: stop the instance; the tracker decides as for a crash. */
  restartUnhealthy(): Promise<void> {
    return this.serial(async () => {
      if (!this.handle || !isLive(this.state)) return;
      const handle = this.handle;
      this.stopping = true;
      let exit: ExitResult;
      try {
        exit = await this.rt.driver.stop(handle, this.spec.stop.signal, this.spec.stop.timeoutMs);
      } finally {
        this.stopping = false;
      }
      this.health?.end();
      const lines = await this.rt.logTail(handle, LOG_LINES_ON_EXIT).catch(() => []);
      await this.retire(handle);
      this.handle = undefined;
      await this.afterExit(exit, lines, undefined, handle);
    });
  }

  /** Applies a health transition to the state machine (healthy / unhealthy while live). */
  markHealth(healthy: boolean): void {
    if (!['running', 'healthy', 'unhealthy'].includes(this.state)) return;
    this.move(healthy ? 'healthy' : 'unhealthy');
    this.rt.persist();
  }

  /** The record persisted for this unit. */
  toRecord(): UnitRecord {
    return {
      spec: this.spec, files: this.files, state: this.state, desired: this.desired,
      ...(this.handle ? { handle: this.handle } : {}),
      ...(this.pendingInstance ? { pendingInstance: this.pendingInstance } : {}),
      tracker: this.tracker.toJSON(),
      ...(this.timerAt !== undefined ? { timerAt: this.timerAt } : {}),
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
    };
  }

  /**
   * Carries on from a persisted record after an agent restart: re-attaches a
   * live instance, treats a vanished one as an exit, resumes pending timers.
   * Never starts a second copy of something that is still running.
   */
  recover(record: UnitRecord): Promise<'attached' | 'exited' | 'resumed' | 'idle'> {
    return this.serial(async () => {
      this.desired = record.desired;
      this.tracker = RestartTracker.from(record.tracker);
      if (record.lastExit) this.lastExit = record.lastExit;
      const handle = record.handle;
      if (handle) {
        const live = await this.rt.driver.recover(handle).catch(() => null);
        if (live) {
          this.handle = live;
          this.restore(record.state === 'paused' ? 'paused' : 'running');
          this.watch(live);
          if (this.state !== 'paused') this.health?.begin();
          return 'attached';
        }
        this.restore('running');
        this.handle = handle;
        const status = await this.rt.driver.inspect(handle).catch(() => undefined);
        await this.onExit(handle, status?.exit ?? { code: null, signal: null, oomKilled: false, finishedAt: this.rt.clock.now() }, 'the instance ended while the agent was away');
        return 'exited';
      }
      if (record.pendingInstance) {
        // A start was begun but never confirmed: remove whatever half of it exists.
        await this.rt.driver.destroy({ id: record.pendingInstance, unit: this.name, driver: this.rt.driver.kind, startedAt: 0, logPath: '', data: {} }).catch(() => undefined);
      }
      if (record.timerAt !== undefined && isPending(record.state) && record.state !== 'waiting') {
        this.restore(record.state);
        this.schedule(record.timerAt, () => void this.serial(() => this.doStart('exit')));
        return 'resumed';
      }
      this.restore(['failed', 'completed', 'exited'].includes(record.state) ? record.state : 'created');
      return 'idle';
    });
  }

  /** Stops timers and health checks without touching the instance (agent shutdown). */
  detach(): void {
    this.clearTimer();
    this.health?.end();
  }
}
