/**
 * The restart tracker: pure. Facts in (how the instance ended, the unit's
 * restart policy, its recent runs, whether a person asked it to stop, a
 * health failure, now), decision out: restart after N ms, give up until T,
 * or stay down, always with a one-sentence reason a person can read.
 * Clock and randomness are injected, so tests are exact.
 *
 * Rules, in order:
 * 1. A stop a person asked for is never undone by a restart.
 * 2. A health failure (the supervisor killed it for `on_unhealthy: restart`)
 *    restarts under every policy: the unit file asked for exactly that.
 * 3. Policy `no` stays down; `on-failure` stays down after exit code 0;
 *    `always` and `unless-stopped` restart (they differ only at agent start:
 *    see `decideOnAgentStart`).
 * 4. Start limit: when `burst` runs started inside the last `within`, give up
 *    until now + `cooldown`, then the supervisor tries again (never dead
 *    forever). Runs before `countFrom` (the last `berth reset` or the end of
 *    the last cool-down) do not count.
 * 5. Backoff: delay × factor^(n−1), n = failed runs in a row that each ran
 *    less than `resetAfter` (a stable run resets it to 1); capped at
 *    `maxDelay`, then ± jitter × delay from random().
 */
import type { RestartSpec } from '../config/unit-spec.js';
import type { RestartPolicy } from '../config/unit-schema.js';
import type { ExitResult } from '../runtime/driver.js';
import { formatBytes, formatClock, formatDuration } from './format-duration.js';

/** One run of a unit: when it started and, once over, when it ended (epoch ms). */
export interface RunRecord {
  startedAt: number;
  exitedAt?: number;
}

/** What ended the run, as the ledger's `cause` field names it. */
export type ExitCause = 'exit' | 'signal' | 'oom' | 'health';

/** Everything the tracker needs to decide. */
export interface RestartFacts {
  exit: ExitResult;
  policy: RestartSpec;
  /** recent runs, oldest first, including the one that just ended */
  history: readonly RunRecord[];
  /** a person (or `berth down`) asked it to stop */
  stopRequested: boolean;
  /** set when the supervisor ended the run because the unit was unhealthy: the check's output */
  healthFailure?: string;
  /** runs that started before this time do not count (last reset, end of last cool-down) */
  countFrom?: number;
  /** for the reason text of an OOM kill */
  memoryLimitBytes?: number;
  now: number;
  /** returns [0, 1); Math.random in production, seeded in tests */
  random: () => number;
}

/** The tracker's answer. */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; reason: string; cause: ExitCause; attempt: number }
  | { action: 'give-up-until'; until: number; reason: string; cause: ExitCause }
  | { action: 'stay-down'; reason: string; cause: ExitCause };

/** Why the run ended, in a few words ("exited with code 3", "OOM-killed (memory limit 64Mi)"). */
export function describeExit(exit: ExitResult, healthFailure?: string, memoryLimitBytes?: number): { text: string; cause: ExitCause } {
  if (healthFailure !== undefined) {
    const out = healthFailure.trim().split('\n')[0]?.slice(0, 120);
    return { text: `unhealthy${out ? ` (${out})` : ''}`, cause: 'health' };
  }
  if (exit.oomKilled) {
    return { text: `OOM-killed${memoryLimitBytes ? ` (memory limit ${formatBytes(memoryLimitBytes)})` : ''}`, cause: 'oom' };
  }
  if (exit.signal) return { text: `killed by ${exit.signal}`, cause: 'signal' };
  if (exit.code === null) return { text: 'ended (how is unknown: its monitor was gone)', cause: 'exit' };
  return { text: `exited with code ${exit.code}`, cause: 'exit' };
}

/** True when the run ended well: exit code 0, no signal, no OOM. */
export function isSuccess(exit: ExitResult): boolean {
  return exit.code === 0 && !exit.signal && !exit.oomKilled;
}

/** Decides what to do after a run ended. Pure. */
export function decideRestart(f: RestartFacts): RestartDecision {
  const { text, cause } = describeExit(f.exit, f.healthFailure, f.memoryLimitBytes);
  const p = f.policy;
  if (f.stopRequested) return { action: 'stay-down', reason: `${text}; stopped on request, not restarting`, cause };
  if (f.healthFailure === undefined) {
    if (p.policy === 'no') return { action: 'stay-down', reason: `${text}; restart policy is no`, cause };
    if (p.policy === 'on-failure' && isSuccess(f.exit)) {
      return { action: 'stay-down', reason: `${text}; policy on-failure restarts only failures`, cause };
    }
  }
  const from = Math.max(f.now - p.withinMs, f.countFrom ?? -Infinity);
  const recent = f.history.filter((r) => r.startedAt >= from).length;
  if (recent >= p.burst) {
    const until = f.now + p.cooldownMs;
    const limit = `start limit ${p.burst} in ${formatDuration(p.withinMs)} reached`;
    return { action: 'give-up-until', until, reason: `${text}; ${limit}; cooling down until ${formatClock(until)}`, cause };
  }
  const delayMs = backoffDelay(p, failuresInARow(f), f.random);
  const reason = `${text}; restart ${recent} in ${formatDuration(p.withinMs)}; backing off ${formatDuration(delayMs)}`;
  return { action: 'restart', delayMs, reason, cause, attempt: recent };
}

/** Short runs in a row at the end of history (≥ 1: the one that just ended counts). */
function failuresInARow(f: RestartFacts): number {
  let n = 0;
  const runs = f.history.filter((r) => r.startedAt >= (f.countFrom ?? -Infinity));
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    const ended = r.exitedAt ?? f.exit.finishedAt;
    if (ended - r.startedAt >= f.policy.resetAfterMs) break;
    n++;
  }
  return Math.max(1, n);
}

/** delay × factor^(n−1), capped at maxDelay, then ± jitter × delay; whole ms, never negative. */
export function backoffDelay(p: RestartSpec, n: number, random: () => number): number {
  const base = Math.min(p.delayMs * p.factor ** Math.max(0, n - 1), p.maxDelayMs);
  const jittered = base + (random() * 2 - 1) * p.jitter * base;
  return Math.max(0, Math.round(jittered));
}

/**
 * Whether to start a unit when the agent (re)starts and finds it not
 * running. `unless-stopped` remembers a person's stop across agent
 * restarts; every other policy starts units the folder declares.
 */
export function decideOnAgentStart(policy: RestartPolicy, stoppedByUser: boolean): 'start' | 'stay-down' {
  if (stoppedByUser && policy !== 'always') return 'stay-down';
  return 'start';
}

/**
 * The per-unit memory the supervisor keeps around `decideRestart`: recent
 * runs (bounded), the reset point, the user's stop. JSON-serialisable so it
 * survives an agent restart (`toJSON` / `RestartTracker.from`).
 */
export class RestartTracker {
  runs: RunRecord[] = [];
  countFrom?: number;
  stopRequested = false;

  constructor(readonly max = 64) {}

  /** Records a start; clears a previous stop request (someone wants it up). */
  recordStart(now: number): void {
    this.runs.push({ startedAt: now });
    this.stopRequested = false;
    if (this.runs.length > this.max) this.runs.splice(0, this.runs.length - this.max);
  }

  /** Records the end of the current run. */
  recordExit(now: number): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.exitedAt === undefined) last.exitedAt = now;
  }

  /** `berth reset`, or the end of a cool-down: earlier runs no longer count. */
  reset(now: number): void {
    this.countFrom = now;
  }

  /** Decides after an exit (records it first). */
  decide(exit: ExitResult, policy: RestartSpec, now: number, random: () => number, extra: { healthFailure?: string; memoryLimitBytes?: number } = {}): RestartDecision {
    this.recordExit(exit.finishedAt);
    return decideRestart({ exit, policy, history: this.runs, stopRequested: this.stopRequested, countFrom: this.countFrom, now, random, ...extra });
  }

  toJSON(): { runs: RunRecord[]; countFrom?: number; stopRequested: boolean } {
    return { runs: this.runs, countFrom: this.countFrom, stopRequested: this.stopRequested };
  }

  /** Rebuilds a tracker from `toJSON()` output. */
  static from(data: { runs?: RunRecord[]; countFrom?: number; stopRequested?: boolean }): RestartTracker {
    const t = new RestartTracker();
    t.runs = [...(data.runs ?? [])];
    if (data.countFrom !== undefined) t.countFrom = data.countFrom;
    t.stopRequested = data.stopRequested ?? false;
    return t;
  }
}
