import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { FakeClock } from '../../../src/runtime/fake/clock.js';
import { FakeDriver } from '../../../src/runtime/fake/driver.js';

const spec = (unit: string, n = 1): InstanceSpec => ({
  id: `${unit}-${n}`, unit, argv: ['/bin/app', '--serve'], env: {}, hostname: unit, resources: {}, mounts: [], network: { attach: [], ports: [] },
});

test('exit with N after T, on the injected clock', async () => {
  const clock = new FakeClock(0);
  const d = new FakeDriver({ clock }).script('web', { exitAfterMs: 500, exitCode: 3, logLines: ['boom'] });
  const h = await d.start(spec('web'));
  let exit: unknown;
  void d.wait(h).then((e) => (exit = e));
  await clock.advance(499);
  assert.is(exit, undefined);
  assert.is((await d.inspect(h)).state, 'running');
  await clock.advance(1);
  assert.equal(exit, { code: 3, signal: null, oomKilled: false, finishedAt: 500 });
  assert.equal(await d.inspect(h), { state: 'exited', exit: exit as never });
  assert.equal(d.logs(h.id), ['boom']);
});

test('successive starts follow the script; the last behaviour repeats', async () => {
  const clock = new FakeClock(0);
  const d = new FakeDriver({ clock }).script('web', { failToStart: 'image missing' }, { exitAfterMs: 10, oom: true }, {});
  try { await d.start(spec('web', 1)); assert.unreachable(); } catch (e) { assert.instance(e, DriverError); assert.match((e as Error).message, 'image missing'); }
  const h2 = await d.start(spec('web', 2));
  await clock.advance(10);
  assert.equal(await d.wait(h2), { code: null, signal: 'SIGKILL', oomKilled: true, finishedAt: 10 });
  const h3 = await d.start(spec('web', 3));
  const h4 = await d.start(spec('web', 4));
  await clock.advance(10_000);
  assert.is((await d.inspect(h3)).state, 'running');
  assert.is((await d.inspect(h4)).state, 'running');
  assert.is(d.callsOf('start', 'web').length, 4);
});

test('stop: exits on SIGTERM; one that ignores it is SIGKILLed after the timeout', async () => {
  const clock = new FakeClock(0);
  const d = new FakeDriver({ clock }).script('a', {}).script('b', { ignoreSigterm: true }).script('c', { exitCodeOnSignal: 0 });
  const a = await d.start(spec('a'));
  assert.equal(await d.stop(a, 'SIGTERM', 1000), { code: null, signal: 'SIGTERM', oomKilled: false, finishedAt: 0 });
  const b = await d.start(spec('b'));
  let exit: unknown;
  void d.stop(b, 'SIGTERM', 1000).then((e) => (exit = e));
  await clock.advance(999);
  assert.is(exit, undefined);
  await clock.advance(1);
  assert.equal(exit, { code: null, signal: 'SIGKILL', oomKilled: false, finishedAt: 1000 });
  const c = await d.start(spec('c'));
  assert.is((await d.stop(c, 'SIGTERM', 1000)).code, 0);
  assert.is(clock.pending, 0);
});

test('pause holds the scripted exit; unpause resumes it', async () => {
  const clock = new FakeClock(0);
  const d = new FakeDriver({ clock }).script('j', { exitAfterMs: 100 });
  const h = await d.start(spec('j'));
  await clock.advance(40);
  await d.pause(h);
  assert.is((await d.inspect(h)).state, 'paused');
  await clock.advance(1000);
  await d.unpause(h);
  await clock.advance(59);
  assert.is((await d.inspect(h)).state, 'running');
  await clock.advance(1);
  assert.is((await d.wait(h)).finishedAt, 1100);
});

test('a second driver on the same host recovers instances; destroy and vanish make them gone', async () => {
  const clock = new FakeClock(0);
  const d1 = new FakeDriver({ clock });
  const h = await d1.start(spec('web'));
  const d2 = new FakeDriver({ clock, host: d1.host });
  assert.equal(await d2.recover(h), h);
  assert.is((await d2.top(h))[0]!.command, '/bin/app --serve');
  assert.equal(await d2.exec(h, ['true']), { code: 0, signal: null, stdout: '', stderr: '' });
  d2.vanish(h.id);
  assert.is(await d2.recover(h), null);
  assert.is((await d2.inspect(h)).state, 'gone');
  await d2.destroy(h); // idempotent
  try { await d2.exec(h, ['true']); assert.unreachable(); } catch (e) { assert.is((e as DriverError).code, 'E_NOT_RUNNING'); }
  assert.equal(d2.calls.map((c) => c.method), ['recover', 'top', 'exec', 'recover', 'inspect', 'destroy', 'exec']);
});

test('crash() ends an instance at once for waiters', async () => {
  const clock = new FakeClock(5);
  const d = new FakeDriver({ clock });
  const h = await d.start(spec('web'));
  const w = d.wait(h);
  d.crash(h.id, { code: 2 });
  assert.equal(await w, { code: 2, signal: null, oomKilled: false, finishedAt: 5 });
});

test.run();
