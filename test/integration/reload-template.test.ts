/**
 * A template change reloads a running container by signal, without a
 * restart: the unit's shell traps HUP and re-reads its config, the config is
 * a template with on_change: reload; after a var changes in the unit file
 * and `berth apply`, the instance id and pid are the same, the new content is
 * visible inside (`berth exec … cat`), and the ledger has unit.reloaded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventOf } from '../../src/supervisor/events.js';
import { withAgent, uniqueName, until } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const unitFile = (name: string, greeting: string) => [
  `name: ${name}`,
  'kind: service',
  'image: { from: busybox }',
  'network: { attach: [] }',
  'stop: { timeout: 1s }',
  `vars: { greeting: ${greeting} }`,
  'templates:',
  '  - { src: app.conf.njk, dest: /etc/app.conf, on_change: reload }',
  'reload: { signal: SIGHUP }',
  // PID 1 with a HUP trap: copies the config it read to /tmp/seen, counts reloads
  `run: { command: "n=0; trap 'n=$((n+1)); cat /etc/app.conf > /tmp/seen; echo $n > /tmp/reloads' HUP; cat /etc/app.conf > /tmp/seen; while true; do sleep 0.2 & wait; done" }`,
  '',
].join('\n');

test('template change → reload by signal, same instance, new file inside', async () => {
  requireRoot();
  requireTool('conmon');
  const name = uniqueName('reload');
  await withAgent({ units: { [`${name}.yaml`]: unitFile(name, 'hello'), 'app.conf.njk': 'greeting={{ greeting }}\n' } }, async (agent) => {
    const mine = (e: BerthEvent) => 'unit' in e && e.unit === name;
    const before = await agent.waitUnit(name, (u) => u.state === 'running' && !!u.pid, 60_000);
    const cat = async (file: string) => {
      const r = await agent.client.post<{ code: number; stdout: string }>(`/v1/units/${name}/exec`, { argv: ['cat', file] });
      return r.stdout.trim();
    };
    await until('the first config to be read', async () => ((await cat('/tmp/seen')) === 'greeting=hello' ? true : undefined), 10_000);

    agent.writeUnit(`${name}.yaml`, unitFile(name, 'bonjour'));
    const plan = await agent.cli(['plan', agent.unitsDir]);
    assert.match(plan.stdout, /reload/, `plan says reload:\n${plan.stdout}${plan.stderr}`);
    const applied = await agent.cli(['apply', agent.unitsDir]);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);

    const reloaded = await agent.waitEvent((e) => mine(e) && e.type === 'unit.reloaded', 30_000) as EventOf<'unit.reloaded'>;
    assert.is(reloaded.how, 'signal');
    assert.is(reloaded.detail, 'SIGHUP');
    assert.ok(reloaded.templates?.includes('/etc/app.conf'), JSON.stringify(reloaded));
    const inside = await agent.cli(['exec', name, 'cat', '/etc/app.conf']);
    assert.is(inside.stdout.trim(), 'greeting=bonjour', inside.stderr);
    await until('the process to re-read its config', async () => ((await cat('/tmp/seen')) === 'greeting=bonjour' ? true : undefined), 10_000);
    assert.is(await cat('/tmp/reloads'), '1');

    const after = await agent.unit(name);
    assert.is(after?.instance, before.instance, 'same instance');
    assert.is(after?.pid, before.pid, 'same pid');
    assert.is(after?.state, 'running');
    const events = (await agent.events()).filter(mine);
    assert.is(events.filter((e) => e.type === 'unit.started').length, 1, 'started once');
    assert.is(events.filter((e) => e.type === 'unit.stopping' || e.type === 'unit.exited').length, 0, 'never stopped');
  });
});

test.run();
