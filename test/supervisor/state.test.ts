import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransitionError } from '../../src/errors.js';
import { UNIT_EVENTS, UNIT_STATES, canTransition, meetsCondition, transition, type UnitEvent, type UnitState } from '../../src/supervisor/state.js';

// Written out by hand, independently of the table in state.ts: every legal move.
const LEGAL: Record<UnitState, Partial<Record<UnitEvent, UnitState>>> = {
  created: { start: 'starting', wait: 'waiting' },
  waiting: { 'dep-ready': 'starting', 'dep-failed': 'waiting', stop: 'exited' },
  starting: { started: 'running', exited: 'exited', stop: 'stopping' },
  running: { healthy: 'healthy', unhealthy: 'unhealthy', exited: 'exited', stop: 'stopping', pause: 'paused' },
  healthy: { healthy: 'healthy', unhealthy: 'unhealthy', exited: 'exited', stop: 'stopping', pause: 'paused' },
  unhealthy: { healthy: 'healthy', unhealthy: 'unhealthy', exited: 'exited', stop: 'stopping', pause: 'paused' },
  paused: { unpause: 'running', exited: 'exited', stop: 'stopping' },
  stopping: { stopped: 'exited', exited: 'exited' },
  exited: { start: 'starting', wait: 'waiting', backoff: 'backing-off', 'give-up': 'crash-looping', fail: 'failed', complete: 'completed', reset: 'created' },
  'backing-off': { 'backoff-done': 'starting', wait: 'waiting', stop: 'exited', reset: 'created' },
  'crash-looping': { 'backoff-done': 'starting', wait: 'waiting', stop: 'exited', reset: 'created' },
  failed: { start: 'starting', wait: 'waiting', reset: 'created' },
  completed: { start: 'starting', wait: 'waiting', reset: 'created' },
};

test('every state × event pair matches the expected table', () => {
  let legal = 0;
  let illegal = 0;
  for (const s of UNIT_STATES) {
    for (const e of UNIT_EVENTS) {
      const want = LEGAL[s][e];
      if (want) {
        assert.is(transition(s, e), want, `${s} --${e}-->`);
        assert.ok(canTransition(s, e));
        legal++;
      } else {
        assert.not.ok(canTransition(s, e), `${s} --${e}--> should be illegal`);
        try {
          transition(s, e);
          assert.unreachable(`${s} --${e}--> did not throw`);
        } catch (err) {
          assert.instance(err, TransitionError);
          assert.is((err as TransitionError).from, s);
          assert.match((err as Error).message, e);
        }
        illegal++;
      }
    }
  }
  assert.is(legal + illegal, UNIT_STATES.length * UNIT_EVENTS.length);
  assert.is(legal, Object.values(LEGAL).reduce((n, row) => n + Object.keys(row).length, 0));
});

test('every state is reachable from created and can get back to rest', () => {
  const seen = new Set<UnitState>(['created']);
  const queue: UnitState[] = ['created'];
  while (queue.length) {
    const s = queue.shift()!;
    for (const e of UNIT_EVENTS) {
      if (!canTransition(s, e)) continue;
      const n = transition(s, e);
      if (!seen.has(n)) { seen.add(n); queue.push(n); }
    }
  }
  assert.equal([...seen].sort(), [...UNIT_STATES].sort());
});

test('a crash loop: exits, backs off, hits the limit, cools down, tries again', () => {
  let s: UnitState = 'created';
  for (const e of ['start', 'started', 'exited', 'backoff', 'backoff-done', 'started', 'exited', 'give-up', 'backoff-done', 'started'] as UnitEvent[]) s = transition(s, e);
  assert.is(s, 'running');
});

test('dependency conditions', () => {
  assert.ok(meetsCondition('healthy', 'healthy', true));
  assert.not.ok(meetsCondition('running', 'healthy', true));
  assert.ok(meetsCondition('running', 'healthy', false));
  assert.not.ok(meetsCondition('unhealthy', 'healthy', true));
  assert.ok(meetsCondition('unhealthy', 'started', true));
  assert.not.ok(meetsCondition('crash-looping', 'started', false));
  assert.ok(meetsCondition('completed', 'completed', false));
  assert.not.ok(meetsCondition('exited', 'completed', false));
});

test.run();
