/**
 * HealthMonitor: runs one unit's probe on its schedule and reports changes
 * between healthy and unhealthy. Semantics (as Docker's HEALTHCHECK):
 * - the first probe runs at once, then `every` after each one ends;
 * - a probe that takes longer than `timeout` fails;
 * - `retries` failures in a row make the unit unhealthy;
 * - during the start period failures do not count, but a success counts
 *   (and ends the start period);
 * - one success makes it healthy again.
 * Timers go through the injected clock, so tests use a fake one.
 */
import type { HealthSpec } from '../config/unit-spec.js';
import type { Clock } from './clock.js';
import { formatDuration } from './format-duration.js';
import type { Probe, ProbeResult } from './health-check.js';

/** Where a unit's health stands. */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** What the monitor needs. */
export interface HealthMonitorOptions {
  spec: Pick<HealthSpec, 'everyMs' | 'timeoutMs' | 'retries' | 'startPeriodMs'>;
  probe: Probe;
  clock: Clock;
  /** called on healthy ↔ unhealthy (and starting → either) */
  onChange: (status: 'healthy' | 'unhealthy', result: ProbeResult, failures: number) => void;
  /** called after every probe (optional, for the dashboard) */
  onCheck?: (result: ProbeResult, status: HealthStatus) => void;
}

/** Schedules probes for one instance; `start()` once, `stop()` when it ends. */
export class HealthMonitor {
  status: HealthStatus = 'starting';
  /** failures in a row that count (outside the start period) */
  failures = 0;
  last?: ProbeResult;
  private timer: unknown;
  private running = false;
  private startedAt = 0;
  private inStartPeriod = true;

  constructor(private readonly opts: HealthMonitorOptions) {}

  /** Starts probing now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.opts.clock.now();
    this.schedule(0);
  }

  /** Stops probing; a probe in flight is ignored when it ends. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = this.opts.clock.setTimeout(() => void this.runOnce(), ms);
  }

  private async runOnce(): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    const result = await this.withTimeout();
    if (!this.running) return;
    this.record(result);
    this.schedule(this.opts.spec.everyMs);
  }

  private withTimeout(): Promise<ProbeResult> {
    const { clock, spec, probe } = this.opts;
    return new Promise((resolve) => {
      let done = false;
      const t = clock.setTimeout(() => {
        if (done) return;
        done = true;
        resolve({ ok: false, output: `check timed out after ${formatDuration(spec.timeoutMs)}` });
      }, spec.timeoutMs);
      probe().then(
        (r) => { if (!done) { done = true; clock.clearTimeout(t); resolve(r); } },
        (e: Error) => { if (!done) { done = true; clock.clearTimeout(t); resolve({ ok: false, output: e.message }); } },
      );
    });
  }

  private record(result: ProbeResult): void {
    this.last = result;
    const { spec, clock } = this.opts;
    if (this.inStartPeriod && clock.now() - this.startedAt >= spec.startPeriodMs) this.inStartPeriod = false;
    if (result.ok) {
      this.failures = 0;
      this.inStartPeriod = false;
      this.change('healthy', result);
    } else if (!this.inStartPeriod) {
      this.failures++;
      if (this.failures >= spec.retries) this.change('unhealthy', result);
    }
    this.opts.onCheck?.(result, this.status);
  }

  private change(to: 'healthy' | 'unhealthy', result: ProbeResult): void {
    if (this.status === to) return;
    this.status = to;
    this.opts.onChange(to, result, this.failures);
  }
}
