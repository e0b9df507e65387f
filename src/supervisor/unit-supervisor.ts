/**
 * UnitSupervisor: one unit's life, as the agent drives it. The engine (state,
 * instance, restart decisions, the per-unit queue, start and stop) is
 * UnitLifecycle; this file adds what is asked from outside — restart, reload,
 * pause, reset, drift and health corrections — and the persisted record a
 * restarted agent recovers from. It emits events and never prints.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import { BerthError, DriverError } from '../errors.js';
import type { ExitResult, Handle } from '../runtime/driver.js';
import type { RestartEventCause } from './events.js';
import { RestartTracker } from './restart-tracker.js';
import { isLive, isPending, type UnitState } from './state.js';
import { LOG_LINES_ON_EXIT, UnitLifecycle } from './unit-lifecycle.js';
import type { UnitFileState } from './unit-runtime.js';

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
  /** an apply began removing it (a kill -9 before the record went leaves it: it is not "stopped by a user") */
  removing?: boolean;
}

/** Supervises one unit. */
export class UnitSupervisor extends UnitLifecycle {
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

  /** Freezes the running instance. */
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

  /** Thaws a paused instance. */
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
      ...(this.removing ? { removing: true } : {}),
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
      this.removing = record.removing === true;
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
}
