import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApplyError } from '../../src/supervisor/agent.js';
import { readAgentState } from '../../src/supervisor/agent-state.js';
import { agentWithTwoUnits, makeAgent, restartAgent, unitText } from './agent-fixture.js';

test('apply starts units in dependency order, gated on health', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [
      unitText('web', 'after: { api: started }\n'),
      unitText('api', 'after: { db: healthy }\n'),
      unitText('db', 'health: { exec: [check], every: 1s, retries: 1, on_unhealthy: none }\n'),
    ]);
    let dbHealthy = false;
    t.driver.script('db', { exec: () => ({ code: dbHealthy ? 0 : 1, signal: null, stdout: dbHealthy ? 'ok' : 'not yet', stderr: '' }) });
    await t.agent.apply('/u');
    await t.clock.advance(10);
    assert.is(t.agent.get('db').state, 'unhealthy');
    assert.is(t.agent.get('api').state, 'waiting');
    assert.is(t.agent.get('web').state, 'waiting');
    const waiting = t.ledger.since(0, { unit: 'api', types: ['unit.waiting'] })[0];
    assert.ok(waiting && waiting.type === 'unit.waiting' && waiting.dep === 'db' && waiting.condition === 'healthy');
    dbHealthy = true;
    await t.clock.advance(1100);
    assert.is(t.agent.get('db').state, 'healthy');
    assert.is(t.agent.get('api').state, 'running');
    assert.is(t.agent.get('web').state, 'running');
    const starts = t.driver.calls.filter((c) => c.method === 'start').map((c) => c.unit);
    assert.equal(starts, ['db', 'api', 'web']);
  } finally {
    t.cleanup();
  }
});

test('unit.waiting is said once per dependency waited for, not at every move of that dependency', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [
      unitText('api', 'after: { db: healthy }\n'),
      unitText('db', 'health: { exec: [check], every: 1s, retries: 1, on_unhealthy: none }\nrestart: { policy: always, delay: 100ms, max_delay: 100ms, jitter: 0, burst: 100, within: 1m }\n'),
    ]);
    t.driver.script('db', { exitAfterMs: 50, exitCode: 3, exec: () => ({ code: 1, signal: null, stdout: '', stderr: 'not yet' }) });
    await t.agent.apply('/u');
    await t.clock.advance(2000);
    assert.ok(t.driver.callsOf('start', 'db').length >= 5, 'db went round several times');
    assert.is(t.agent.get('api').state, 'waiting');
    assert.is(t.ledger.since(0, { unit: 'api', types: ['unit.waiting'] }).length, 1);
  } finally {
    t.cleanup();
  }
});

test('a crash loop backs off, then cools down, and is never dead forever', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('w', 'restart: { policy: always, delay: 100ms, max_delay: 1s, jitter: 0, burst: 3, within: 1m, cooldown: 30s }\n')]);
    t.driver.script('w', { exitAfterMs: 10, exitCode: 3 });
    await t.agent.apply('/u');
    await t.clock.advance(5);
    assert.is(t.agent.get('w').state, 'running');
    await t.clock.advance(10);
    assert.is(t.agent.get('w').state, 'backing-off');
    await t.clock.advance(2000);
    assert.is(t.agent.get('w').state, 'crash-looping');
    assert.is(t.driver.callsOf('start', 'w').length, 3);
    await t.clock.advance(30_000);
    assert.ok(t.driver.callsOf('start', 'w').length >= 4, 'tries again after the cool-down');
    assert.ok(t.types('w').includes('unit.crash-looping'));
  } finally {
    t.cleanup();
  }
});

test('an invalid folder changes nothing and reports every error', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('a')]);
    await t.agent.apply('/u');
    await t.clock.advance(5);
    t.folders.set('/u', [unitText('a', 'restart: { policy: sometimes }\n'), unitText('b', 'bogus: 1\n'), unitText('c')]);
    const err = await t.agent.apply('/u').then(() => null, (e: unknown) => e);
    assert.ok(err instanceof ApplyError);
    assert.is((err as ApplyError).errors.length, 2);
    assert.equal([...t.agent.units.keys()], ['a']);
    assert.is(t.agent.get('a').state, 'running');
    assert.is(t.driver.callsOf('start').length, 1);
    assert.ok(t.types().includes('apply.failed'));
  } finally {
    t.cleanup();
  }
});

test('an unsupported isolation is refused with one clear line, nothing applied', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('a'), 'name: v\nkind: vm\nvm: { disk: /x.qcow2 }\n']);
    const err = await t.agent.apply('/u').then(() => null, (e: unknown) => e);
    assert.ok(err instanceof ApplyError, String(err));
    assert.match((err as ApplyError).errors.map((e) => e.message).join('\n'), 'v: isolation vm is not supported');
    assert.is(t.agent.units.size, 0);
  } finally {
    t.cleanup();
  }
});

test('an agent restart re-attaches running units and starts nothing twice', async () => {
  const first = await agentWithTwoUnits();
  try {
    const { second } = restartAgent(first);
    const attached = await second.agent.recover();
    assert.is(attached, 2);
    assert.is(second.driver.callsOf('start').length, 0);
    assert.is(second.agent.get('a').state, 'running');
    // and the re-attached instance is still supervised: a crash restarts it
    const id = second.agent.get('a').handle!.id;
    second.driver.crash(id, { code: 1 });
    await second.clock.advance(1000);
    assert.is(second.driver.callsOf('start', 'a').length, 1);
    assert.is(second.agent.get('a').state, 'running');
    second.ledger.close();
  } finally {
    first.cleanup();
  }
});

test('while it recovers, an agent lists its stored units as recovering, keeps their records on disk, and unit operations wait', async () => {
  const first = await agentWithTwoUnits();
  try {
    const { second, release } = restartAgent(first, { holdRecovery: true });
    const recovering = second.agent.recover();
    assert.equal(second.agent.list().map((u) => [u.name, u.state]), [['a', 'recovering'], ['b', 'recovering']]);
    assert.match(second.agent.why('a'), /being recovered/);
    second.agent.persist(true);
    assert.ok(readAgentState(first.root).units.a?.handle, 'a unit not recovered yet keeps its handle on disk');
    let started = false;
    const start = second.agent.start('a').then(() => (started = true));
    await new Promise((r) => setImmediate(r));
    assert.is(started, false, 'start waits for recovery');
    release();
    assert.is(await recovering, 2);
    await start;
    assert.equal(second.agent.list().map((u) => u.state), ['running', 'running']);
    assert.is(second.driver.callsOf('start').length, 0, 'nothing started twice');
    second.ledger.close();
  } finally {
    first.cleanup();
  }
});

test('down stops in reverse dependency order and the stop survives a restart', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('web', 'after: { db: started }\n'), unitText('db')]);
    await t.agent.apply('/u');
    await t.clock.advance(5);
    const order = await t.agent.down();
    assert.equal(order, ['web', 'db']);
    assert.is(t.agent.get('web').state, 'exited');
    t.ledger.close();
    const again = makeAgent({ root: t.root, host: t.driver.host, clock: t.clock, folders: t.folders });
    await again.agent.recover();
    await again.clock.advance(1000);
    assert.is(again.driver.callsOf('start').length, 0);
    again.ledger.close();
  } finally {
    t.cleanup();
  }
});

test('a removal cut short by a kill -9 is not a user stop: an apply that has the unit again brings it up', async () => {
  const first = makeAgent();
  try {
    first.folders.set('/u', [unitText('a'), unitText('b'), unitText('c', 'stop: { timeout: 30s }\n')]);
    first.driver.script('c', { ignoreSigterm: true });
    await first.agent.apply('/u');
    await first.clock.advance(5);
    // b leaves the folder and c changes; the agent "dies" while c's stop hangs, after b's stop was recorded
    first.folders.set('/u', [unitText('a'), unitText('c', 'stop: { timeout: 30s }\nresources: { pids: 64 }\n')]);
    void first.agent.apply('/u').catch(() => undefined);
    for (let i = 0; i < 20 && first.agent.get('c').state !== 'stopping'; i++) await first.clock.advance(50);
    assert.is(first.agent.get('c').state, 'stopping');
    const { second } = restartAgent(first);
    await second.agent.recover();
    second.folders.set('/u', [unitText('a'), unitText('b'), unitText('c', 'stop: { timeout: 30s }\n')]);
    await second.agent.apply('/u', { respectStops: true });
    await second.clock.advance(100);
    assert.is(second.agent.get('b').desired, 'up');
    assert.ok(['running', 'starting'].includes(second.agent.get('b').state), second.agent.get('b').state);
    second.ledger.close();
  } finally {
    first.cleanup();
  }
});

test('stop of a unit that ignores SIGTERM ends after its timeout', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('s', 'stop: { timeout: 2s }\n')]);
    t.driver.script('s', { ignoreSigterm: true });
    await t.agent.apply('/u');
    await t.clock.advance(5);
    const stopping = t.agent.get('s').stop();
    await t.clock.advance(2100);
    await stopping;
    assert.is(t.agent.get('s').state, 'exited');
  } finally {
    t.cleanup();
  }
});

test('drift: an instance frozen behind berth\'s back is reported and thawed', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [unitText('d')]);
    await t.agent.apply('/u');
    await t.clock.advance(5);
    const id = t.agent.get('d').handle!.id;
    t.driver.host.instances.get(id)!.state = 'paused';
    await t.clock.advance(10_500);
    const drift = t.ledger.since(0, { unit: 'd', types: ['unit.drift'] });
    assert.is(drift.length, 1);
    assert.ok(drift[0]!.type === 'unit.drift' && drift[0]!.action === 'thawed');
    assert.is(t.driver.callsOf('unpause', 'd').length, 1);
    assert.is(t.agent.get('d').state, 'running');
  } finally {
    t.cleanup();
  }
});

test.run();
