/**
 * Health-gated start order of a real 3-unit stack (containers): db turns
 * healthy after a few seconds (exec check), api waits for db: healthy, web
 * for api: started. The ledger shows the order, and "waiting for db" is
 * visible (event, state, `berth why`) while db is not healthy yet.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventOf } from '../../src/supervisor/events.js';
import { withAgent, uniqueName } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const unit = (name: string, extra: string[]) => [
  `name: ${name}`, 'kind: service', 'image: { from: busybox }', 'network: { attach: [] }', 'stop: { timeout: 1s }', ...extra, '',
].join('\n');

test('db healthy → api → web, with "waiting for db" meanwhile', async () => {
  requireRoot();
  requireTool('conmon');
  const id = uniqueName();
  const [db, api, web] = [`${id}-db`, `${id}-api`, `${id}-web`];
  await withAgent({
    units: {
      'db.yaml': unit(db, [
        'run: { command: "sleep 6; touch /tmp/ready; exec sleep 1000" }',
        'health: { exec: [test, -f, /tmp/ready], every: 500ms, retries: 1, on_unhealthy: none }',
      ]),
      'api.yaml': unit(api, ['run: { command: "exec sleep 1000" }', `after: { ${db}: healthy }`]),
      'web.yaml': unit(web, ['run: { command: "exec sleep 1000" }', `after: { ${api}: started }`]),
    },
    waitApply: true,
  }, async (agent) => {
    const of = (u: string) => (e: BerthEvent) => 'unit' in e && e.unit === u;

    // meanwhile: api waits for db, visibly
    const waiting = await agent.waitEvent((e) => of(api)(e) && e.type === 'unit.waiting', 30_000) as EventOf<'unit.waiting'>;
    assert.is(waiting.dep, db);
    assert.is(waiting.condition, 'healthy');
    const dbStarted = await agent.waitEvent((e) => of(db)(e) && e.type === 'unit.started', 60_000);
    const apiNow = await agent.unit(api);
    const dbNow = await agent.unit(db);
    assert.is.not(dbNow?.state, 'healthy', 'db needs 6 s to turn healthy');
    assert.is(apiNow?.state, 'waiting', 'api does not start before db is healthy');
    const why = JSON.stringify(await agent.client.get(`/v1/units/${api}/why`));
    assert.match(why, new RegExp(`waiting for ${db}`), why);
    assert.is((await agent.unit(web))?.state, 'waiting');

    // then the order: db healthy, api started, web started
    const healthy = await agent.waitEvent((e) => of(db)(e) && e.type === 'unit.healthy', 60_000);
    const apiStarted = await agent.waitEvent((e) => of(api)(e) && e.type === 'unit.started', 60_000);
    const webStarted = await agent.waitEvent((e) => of(web)(e) && e.type === 'unit.started', 60_000);
    assert.ok(healthy.time - dbStarted.time >= 5_000, `db turned healthy ${healthy.time - dbStarted.time} ms after start`);
    assert.ok(healthy.seq < apiStarted.seq && apiStarted.seq < webStarted.seq, `order ${healthy.seq} < ${apiStarted.seq} < ${webStarted.seq}`);
    const apiStarting = await agent.waitEvent((e) => of(api)(e) && e.type === 'unit.starting', 1000);
    assert.ok(apiStarting.seq > healthy.seq, 'api began starting only after db was healthy');
    const webStarting = await agent.waitEvent((e) => of(web)(e) && e.type === 'unit.starting', 1000);
    assert.ok(webStarting.seq > apiStarted.seq, 'web began starting only after api had started');
    assert.is((await agent.unit(db))?.state, 'healthy');
    assert.is((await agent.unit(web))?.state, 'running');
  });
});

test.run();
