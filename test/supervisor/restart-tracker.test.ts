import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RestartSpec } from '../../src/config/unit-spec.js';
import type { ExitResult } from '../../src/runtime/driver.js';
import { RestartTracker, backoffDelay, decideOnAgentStart, decideRestart, type RestartFacts, type RunRecord } from '../../src/supervisor/restart-tracker.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const spec = (over: Partial<RestartSpec> = {}): RestartSpec => ({
  policy: 'on-failure', delayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 0, resetAfterMs: 60_000,
  burst: 5, withinMs: 60_000, cooldownMs: 60_000, ...over,
});
const exit = (code: number | null, extra: Partial<ExitResult> = {}): ExitResult => ({ code, signal: null, oomKilled: false, finishedAt: T0, ...extra });
const mid = () => 0.5; // no jitter
const facts = (over: Partial<RestartFacts>): RestartFacts => ({
  exit: exit(3), policy: spec(), history: [{ startedAt: T0 - 1000, exitedAt: T0 }], stopRequested: false, now: T0, random: mid, ...over,
});

/** Seeded PRNG (mulberry32): the same sequence every run. */
function seeded(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POLICY_TABLE: [string, RestartSpec['policy'], ExitResult, boolean, string | undefined, string][] = [
  // name, policy, exit, stopRequested, healthFailure, expected action
  ['no + failure', 'no', exit(3), false, undefined, 'stay-down'],
  ['no + success', 'no', exit(0), false, undefined, 'stay-down'],
  ['no + health', 'no', exit(null, { signal: 'SIGTERM' }), false, 'HTTP 500', 'restart'],
  ['on-failure + code 3', 'on-failure', exit(3), false, undefined, 'restart'],
  ['on-failure + code 0', 'on-failure', exit(0), false, undefined, 'stay-down'],
  ['on-failure + signal', 'on-failure', exit(null, { signal: 'SIGSEGV' }), false, undefined, 'restart'],
  ['on-failure + oom', 'on-failure', exit(null, { signal: 'SIGKILL', oomKilled: true }), false, undefined, 'restart'],
  ['on-failure + user stop', 'on-failure', exit(null, { signal: 'SIGTERM' }), true, undefined, 'stay-down'],
  ['always + code 0', 'always', exit(0), false, undefined, 'restart'],
  ['always + user stop', 'always', exit(0), true, undefined, 'stay-down'],
  ['unless-stopped + code 0', 'unless-stopped', exit(0), false, undefined, 'restart'],
  ['unless-stopped + user stop', 'unless-stopped', exit(143), true, undefined, 'stay-down'],
  ['user stop beats health', 'always', exit(137), true, 'timeout', 'stay-down'],
];

for (const [name, policy, ex, stop, health, want] of POLICY_TABLE) {
  test(`policy: ${name} → ${want}`, () => {
    const d = decideRestart(facts({ policy: spec({ policy }), exit: ex, stopRequested: stop, healthFailure: health }));
    assert.is(d.action, want, d.reason);
  });
}

test('reasons are sentences', () => {
  assert.is(decideRestart(facts({ exit: exit(3), history: runs(4, 10_000) })).reason, 'exited with code 3; restart 4 in 1m; backing off 800ms');
  const oom = decideRestart(facts({ exit: exit(null, { signal: 'SIGKILL', oomKilled: true }), memoryLimitBytes: 64 * 1024 * 1024 }));
  assert.match(oom.reason, /^OOM-killed \(memory limit 64Mi\); restart 1 in 1m; backing off 100ms$/);
  assert.is(oom.cause, 'oom');
  const limit = decideRestart(facts({ history: runs(5, 10_000) }));
  assert.is(limit.reason, 'exited with code 3; start limit 5 in 1m reached; cooling down until 12:01:00 UTC');
  assert.is(decideRestart(facts({ policy: spec({ policy: 'no' }) })).reason, 'exited with code 3; restart policy is no');
  const sig = decideRestart(facts({ exit: exit(null, { signal: 'SIGSEGV' }) }));
  assert.is(sig.cause, 'signal');
  assert.match(sig.reason, /^killed by SIGSEGV;/);
  const h = decideRestart(facts({ healthFailure: 'connection refused\nmore' }));
  assert.is(h.cause, 'health');
  assert.match(h.reason, /^unhealthy \(connection refused\);/);
});

/** n runs, each `ranMs` long, back to back, the last ending at T0. */
function runs(n: number, ranMs: number, gapMs = 100): RunRecord[] {
  const out: RunRecord[] = [];
  let end = T0;
  for (let i = 0; i < n; i++) {
    out.unshift({ startedAt: end - ranMs, exitedAt: end });
    end -= ranMs + gapMs;
  }
  return out;
}

const BACKOFF_TABLE: [number, number][] = [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1600], [9, 25_600], [10, 30_000], [30, 30_000]];
for (const [n, want] of BACKOFF_TABLE) {
  test(`backoff: failure ${n} in a row → ${want}ms`, () => {
    const d = decideRestart(facts({ history: runs(n, 50, 0), policy: spec({ burst: 1000, withinMs: 60_000 }) }));
    assert.is(d.action, 'restart');
    if (d.action === 'restart') assert.is(d.delayMs, want);
  });
}

test('a stable run resets the backoff', () => {
  const h = [...runs(6, 50).slice(0, 5).map((r) => ({ startedAt: r.startedAt - 200_000, exitedAt: r.exitedAt! - 200_000 })),
    { startedAt: T0 - 70_000, exitedAt: T0 - 1000 }, { startedAt: T0 - 900, exitedAt: T0 }];
  // the run before the last one ran 69 s ≥ resetAfter 60 s: only the last one counts
  const d = decideRestart(facts({ history: h }));
  assert.is(d.action, 'restart');
  if (d.action === 'restart') assert.is(d.delayMs, 100);
  const long = decideRestart(facts({ history: [{ startedAt: T0 - 120_000 }] }));
  if (long.action === 'restart') assert.is(long.delayMs, 100);
});

test('start limit: burst within the window gives up until now + cooldown', () => {
  const d = decideRestart(facts({ history: runs(5, 1000) }));
  assert.is(d.action, 'give-up-until');
  if (d.action === 'give-up-until') assert.is(d.until, T0 + 60_000);
  // the same five runs spread over more than the window: no limit
  const spread = decideRestart(facts({ history: runs(5, 1000, 20_000) }));
  assert.is(spread.action, 'restart');
  // four in the window is still fine
  assert.is(decideRestart(facts({ history: runs(4, 1000) })).action, 'restart');
});

test('countFrom (reset / end of cool-down) forgets earlier runs', () => {
  const h = runs(5, 1000);
  const d = decideRestart(facts({ history: h, countFrom: h[4]!.startedAt }));
  assert.is(d.action, 'restart');
  if (d.action === 'restart') { assert.is(d.attempt, 1); assert.is(d.delayMs, 100); }
});

test('jitter stays within ± jitter × delay and is reproducible with a seed', () => {
  const p = spec({ delayMs: 1000, jitter: 0.2 });
  const a = seeded(42);
  const b = seeded(42);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const d1 = backoffDelay(p, 1, a);
    assert.is(d1, backoffDelay(p, 1, b));
    assert.ok(d1 >= 800 && d1 <= 1200, String(d1));
    seen.add(d1);
  }
  assert.ok(seen.size > 50, 'jitter spreads the delays');
  assert.is(backoffDelay(p, 1, () => 0), 800);
  assert.is(backoffDelay(p, 1, () => 0.999999), 1200);
  assert.is(backoffDelay(spec({ delayMs: 0 }), 5, Math.random), 0);
});

test('agent start: unless-stopped remembers a user stop, always does not', () => {
  assert.is(decideOnAgentStart('unless-stopped', true), 'stay-down');
  assert.is(decideOnAgentStart('unless-stopped', false), 'start');
  assert.is(decideOnAgentStart('always', true), 'start');
  assert.is(decideOnAgentStart('on-failure', true), 'stay-down');
  assert.is(decideOnAgentStart('no', false), 'start');
});

test('RestartTracker: a crash loop with a fake clock, then a cool-down and a fresh try', () => {
  const t = new RestartTracker();
  const p = spec({ policy: 'always', burst: 3, withinMs: 10_000, cooldownMs: 30_000 });
  let now = T0;
  const delays: (number | string)[] = [];
  for (let i = 0; i < 4; i++) {
    t.recordStart(now);
    now += 50; // crashes after 50 ms
    const d = t.decide(exit(1, { finishedAt: now }), p, now, mid);
    if (d.action === 'restart') { delays.push(d.delayMs); now += d.delayMs; }
    else if (d.action === 'give-up-until') { delays.push('give-up'); t.reset(d.until); now = d.until; }
  }
  assert.equal(delays, [100, 200, 'give-up', 100]);
  const json = JSON.parse(JSON.stringify(t));
  const back = RestartTracker.from(json);
  assert.equal(back.toJSON(), t.toJSON());
  t.stopRequested = true;
  assert.is(t.decide(exit(0, { finishedAt: now }), p, now, mid).action, 'stay-down');
  t.recordStart(now);
  assert.is(t.stopRequested, false);
});

test.run();
