import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventBody } from '../../src/supervisor/events.js';
import { explainUnit } from '../../src/supervisor/why.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
let seq = 0;
const ev = (time: number, body: EventBody): BerthEvent => ({ ...body, seq: ++seq, time } as BerthEvent);
const exit3 = (t: number) => ev(t, { type: 'unit.exited', unit: 'web', code: 3, signal: null, oomKilled: false, lastLogLines: ['listening on :8080', 'panic: no config'] });

test('crash-looping: how often, the same way, next try, last output', () => {
  const events = [0, 15, 30, 45, 60, 75, 90].map((s) => exit3(T0 + s * 1000));
  events.push(ev(T0 + 90_000, { type: 'unit.crash-looping', unit: 'web', until: T0 + 98_000, reason: 'start limit' }));
  events.push(ev(T0 + 91_000, { type: 'unit.exited', unit: 'db', code: 1, signal: null, oomKilled: false, lastLogLines: [] }));
  const text = explainUnit({ unit: 'web', state: 'crash-looping', events, now: T0 + 120_000 });
  assert.is(text, 'web is crash-looping: it exited with code 3 seven times in the last 2m; the start limit was reached, next try at 12:01:38 UTC (due now). Last output: “listening on :8080 ⏎ panic: no config”');
});

test('backing-off: next try from the backoff event', () => {
  const events = [exit3(T0), exit3(T0 + 5000), ev(T0 + 5000, { type: 'unit.backing-off', unit: 'web', delayMs: 8000, until: T0 + 13_000, reason: '' })];
  const text = explainUnit({ unit: 'web', state: 'backing-off', events, now: T0 + 5000 });
  assert.match(text, /^web is backing off: it exited with code 3 twice in the last 5s; next try in 8s \(backoff\)\./);
});

test('mixed exits and OOM', () => {
  const events = [exit3(T0), ev(T0 + 1000, { type: 'unit.exited', unit: 'web', code: null, signal: 'SIGKILL', oomKilled: true, lastLogLines: [] })];
  const text = explainUnit({ unit: 'web', state: 'backing-off', events, now: T0 + 2000 });
  assert.match(text, 'it ended twice in the last 2s, last OOM-killed');
});

test('a reset forgets earlier exits', () => {
  const events = [exit3(T0), exit3(T0 + 1), ev(T0 + 2, { type: 'unit.reset', unit: 'web' }), exit3(T0 + 3000)];
  assert.match(explainUnit({ unit: 'web', state: 'backing-off', events, now: T0 + 4000 }), 'it exited with code 3 1s ago');
});

test('waiting names the dependency and its state', () => {
  const events = [ev(T0, { type: 'unit.waiting', unit: 'web', dep: 'db', condition: 'healthy', state: 'unhealthy' })];
  assert.is(explainUnit({ unit: 'web', state: 'waiting', events, now: T0 + 30_000 }), 'web is waiting for db to be healthy; db is unhealthy (since 12:00:00 UTC (30s ago)).');
});

test('healthy after a restart says why it last restarted', () => {
  const events = [
    ev(T0, { type: 'unit.restarting', unit: 'web', delayMs: 100, reason: 'unhealthy (HTTP 500); restart 1 in 1m; backing off 100ms', cause: 'health' }),
    ev(T0 + 200, { type: 'unit.started', unit: 'web', instance: 'web-1' }),
  ];
  const text = explainUnit({ unit: 'web', state: 'healthy', events, now: T0 + 60_200 });
  assert.is(text, 'web is healthy since 12:00:00 UTC (1m ago). It last restarted at 12:00:00 UTC (1m ago) because: unhealthy (HTTP 500); restart 1 in 1m; backing off 100ms.');
});

test('unhealthy, failed, exited by request, paused, created', () => {
  const unhealthy = explainUnit({ unit: 'web', state: 'unhealthy', events: [ev(T0, { type: 'unit.unhealthy', unit: 'web', output: 'connection refused', failures: 3 })], now: T0 + 1000 });
  assert.match(unhealthy, 'the check failed three times in a row (connection refused)');
  const failed = explainUnit({ unit: 'web', state: 'failed', events: [exit3(T0), ev(T0, { type: 'unit.failed', unit: 'web', reason: 'exited with code 3; restart policy is no' })], now: T0 });
  assert.match(failed, 'web failed and stays down: exited with code 3; restart policy is no.');
  const stopped = explainUnit({ unit: 'web', state: 'exited', events: [ev(T0, { type: 'unit.stopped', unit: 'web', cause: 'manual' }), exit3(T0 + 10)], now: T0 + 1000 });
  assert.match(stopped, 'it was stopped on request');
  assert.match(explainUnit({ unit: 'web', state: 'paused', events: [], now: T0 }), 'berth unpause web');
  assert.is(explainUnit({ unit: 'web', state: 'created', events: [], now: T0 }), 'web has not been started yet.');
});

test.run();
