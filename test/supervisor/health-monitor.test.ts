import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../src/runtime/fake/clock.js';
import type { ProbeResult } from '../../src/supervisor/health-check.js';
import { HealthMonitor } from '../../src/supervisor/health-monitor.js';

/** A probe that answers from a script: true = ok, false = fail, 'hang' = never answers. */
function scripted(clock: FakeClock, script: (boolean | 'hang')[]) {
  const calls: number[] = [];
  let i = 0;
  const probe = () => {
    calls.push(clock.now());
    const step = script[Math.min(i++, script.length - 1)];
    if (step === 'hang') return new Promise<ProbeResult>(() => {});
    return Promise.resolve({ ok: step!, output: step ? 'HTTP 200' : 'HTTP 500' });
  };
  return { probe, calls };
}

function setup(script: (boolean | 'hang')[], spec = { everyMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0 }) {
  const clock = new FakeClock(0);
  const { probe, calls } = scripted(clock, script);
  const changes: string[] = [];
  const m = new HealthMonitor({ spec, probe, clock, onChange: (s, r, f) => changes.push(`${clock.now()}:${s}:${r.output}:${f}`) });
  return { clock, calls, changes, m };
}

test('healthy on the first success, unhealthy after `retries` failures in a row, healthy again', async () => {
  const { clock, calls, changes, m } = setup([true, false, false, true, false, false, false, true]);
  m.start();
  await clock.advance(7500);
  assert.equal(calls, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
  assert.equal(changes, ['0:healthy:HTTP 200:0', '6000:unhealthy:HTTP 500:3', '7000:healthy:HTTP 200:0']);
  m.stop();
  assert.is(clock.pending, 0);
});

test('a probe that hangs fails after the timeout, and the next runs `every` later', async () => {
  const { clock, calls, changes, m } = setup(['hang'], { everyMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 0 });
  m.start();
  await clock.advance(1600);
  assert.equal(calls, [0, 1500]);
  await clock.advance(500);
  assert.equal(changes, ['2000:unhealthy:check timed out after 500ms:2']);
  m.stop();
});

test('failures in the start period do not count; a success ends it', async () => {
  const a = setup([false, false, false, false, false, false], { everyMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 3500 });
  a.m.start();
  await a.clock.advance(5000);
  // probes at 0..3000 are inside the start period; 4000 and 5000 count
  assert.equal(a.changes, ['5000:unhealthy:HTTP 500:2']);
  a.m.stop();
  const b = setup([false, true, false, false], { everyMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 60_000 });
  b.m.start();
  await b.clock.advance(3000);
  assert.equal(b.changes, ['1000:healthy:HTTP 200:0', '3000:unhealthy:HTTP 500:2']);
  b.m.stop();
});

test('stop() while a probe is in flight: its result is ignored, no timer is left', async () => {
  const { clock, changes, m } = setup(['hang']);
  m.start();
  await clock.advance(100);
  m.stop();
  await clock.advance(5000);
  assert.equal(changes, []);
  assert.is(clock.pending, 0);
});

test.run();
