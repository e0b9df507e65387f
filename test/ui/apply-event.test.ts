import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventBody } from '../../src/supervisor/events.js';
import { applyEvent } from '../../src/ui/apply-event.js';
import type { UnitView } from '../../src/ui/dash-client.js';
import { unitView } from './fake-client.js';

let seq = 0;
const ev = (body: EventBody, time = 1_000): BerthEvent => ({ ...body, seq: ++seq, time }) as BerthEvent;
const fold = (u: UnitView, body: EventBody, time?: number) => {
  const r = applyEvent(new Map([[u.name, u]]), ev(body, time));
  if (r.kind !== 'unit') throw new Error(`expected a unit, got ${r.kind}`);
  return r.view;
};

test('exit then backing-off shows the countdown target and the cause', () => {
  const web = unitView('web', { pid: 42 });
  const exited = fold(web, { type: 'unit.exited', unit: 'web', code: 3, signal: null, oomKilled: false, lastLogLines: [] }, 5_000);
  assert.is(exited.state, 'exited');
  assert.is(exited.pid, undefined);
  assert.equal(exited.lastExit, { code: 3, signal: null, oomKilled: false, finishedAt: 5_000 });
  const waiting = fold(exited, { type: 'unit.backing-off', unit: 'web', delayMs: 2000, until: 7_000, reason: 'exit 3' });
  assert.is(waiting.state, 'backing-off');
  assert.is(waiting.timerAt, 7_000);
  assert.is(waiting.lastExit?.reason, 'exit 3');
  assert.is(web.state, 'running', 'the input view is not mutated');
});

test('a stop says how the instance ended: the restart column no longer shows an older cause', () => {
  const u = unitView('web', { restarts: 2, lastExit: { code: null, signal: 'SIGKILL', oomKilled: false, finishedAt: 1 } });
  const stopped = fold(u, { type: 'unit.stopped', unit: 'web', cause: 'manual', exit: { code: null, signal: 'SIGTERM', oomKilled: false } }, 8_000);
  assert.is(stopped.state, 'exited');
  assert.equal(stopped.lastExit, { code: null, signal: 'SIGTERM', oomKilled: false, finishedAt: 8_000, reason: 'stopped (manual)' });
  const old = fold(u, { type: 'unit.stopped', unit: 'web', cause: 'manual' });
  assert.is(old.lastExit?.signal, 'SIGKILL', 'an older agent says nothing: what was known stays');
});

test('a start after an exit counts a restart and clears the timer', () => {
  const u = unitView('w', { state: 'backing-off', timerAt: 9, restarts: 2, lastExit: { code: 1, signal: null, oomKilled: false, finishedAt: 1 } });
  const started = fold(u, { type: 'unit.started', unit: 'w', instance: 'w-3', pid: 7 }, 10_000);
  assert.is(started.state, 'running');
  assert.is(started.restarts, 3);
  assert.is(started.timerAt, undefined);
  assert.is(started.startedAt, 10_000);
  assert.is(started.pid, 7);
});

test('pause, unpause back to healthy, unhealthy, reset', () => {
  const u = unitView('h', { state: 'healthy', health: 'healthy' });
  const p = fold(u, { type: 'unit.paused', unit: 'h' });
  assert.is(p.state, 'paused');
  assert.is(fold(p, { type: 'unit.unpaused', unit: 'h' }).state, 'healthy');
  assert.is(fold(u, { type: 'unit.unhealthy', unit: 'h', output: 'x', failures: 3 }).health, 'unhealthy');
  const reset = fold(unitView('f', { state: 'failed', restarts: 5 }), { type: 'unit.reset', unit: 'f' });
  assert.is(reset.state, 'created');
  assert.is(reset.restarts, 0);
});

test('a manual stop sets desired down', () => {
  const s = fold(unitView('a'), { type: 'unit.stopping', unit: 'a', cause: 'manual' });
  assert.is(s.state, 'stopping');
  assert.is(s.desired, 'down');
});

test('an unknown unit or a finished apply asks for a resync; other events change nothing', () => {
  const units = new Map([['a', unitView('a')]]);
  assert.is(applyEvent(units, ev({ type: 'unit.started', unit: 'new', instance: 'n' })).kind, 'resync');
  assert.is(applyEvent(units, ev({ type: 'apply.finished', dir: '/u', changes: 1, durationMs: 3 })).kind, 'resync');
  assert.is(applyEvent(units, ev({ type: 'apply.started', dir: '/u', changes: 1 })).kind, 'none');
  assert.is(applyEvent(units, ev({ type: 'unit.drift', unit: 'a', detail: 'd', action: 'x' })).kind, 'none');
});

test.run();
