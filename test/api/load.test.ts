/**
 * Load: 200 concurrent clients doing what `berth ps` and `berth inspect` do
 * (GET /v1/units, GET /v1/units/:name) for 30 s (BERTH_LOAD_SECONDS) over
 * the real unix socket of an agent with 100 process units. Asserts zero
 * errors; latency is printed, not asserted (timings live in bench/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatLoad, runLoad } from '../../bench/http-load.js';
import { requireRoot } from '../helpers/require-tool.js';
import { startAgentProcess, uniqueName, until, type AgentProcess } from '../helpers/agent-process.js';

const UNITS = 100;
const CLIENTS = 200;
const SECONDS = Number(process.env.BERTH_LOAD_SECONDS ?? 30);

let agent: AgentProcess | undefined;
const prefix = uniqueName();
const names = Array.from({ length: UNITS }, (_, i) => `${prefix}-${i}`);

test.after(async () => {
  const left = agent ? await agent.cleanup() : [];
  assert.equal(left, [], 'the agent left processes behind');
});

test(`${CLIENTS} clients × ${SECONDS} s of ps/inspect against ${UNITS} units: no errors`, async () => {
  requireRoot();
  agent = await startAgentProcess({
    args: ['--no-docker-socket', '--quiet'],
    units: Object.fromEntries(names.map((n) => [`${n}.yaml`, `name: ${n}\nkind: service\nisolation: process\nrun: { command: [sleep, "1000"] }\n`])),
    startTimeoutMs: 60_000,
  });
  const a = agent;
  await until(`${UNITS} units running`, async () => {
    const units = await a.client.get<{ state: string }[]>('/v1/units');
    return units.length === UNITS && units.every((u) => u.state === 'running') ? true : undefined;
  }, 120_000, 250);
  const r = await runLoad({
    target: { socketPath: a.socket },
    clients: CLIENTS,
    durationMs: SECONDS * 1000,
    path: (c, n) => (n % 2 === 0 ? '/v1/units' : `/v1/units/${names[(c + n) % UNITS]}`),
  });
  console.log(`\n${formatLoad(`load: ${CLIENTS} clients, ${UNITS} units, ${SECONDS} s`, r)}`);
  assert.is(r.errors, 0, `errors: ${r.errorSamples.join('; ')}`);
  assert.ok(r.requests >= CLIENTS * 2, `only ${r.requests} requests`);
  assert.is((await a.client.get<unknown[]>('/v1/units')).length, UNITS, 'the agent still answers');
});

test.run();
