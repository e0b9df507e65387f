/**
 * serveAgent listens before it recovers: with the stored instances' recovery
 * held back, the socket already answers /v1/health, /v1/info and /v1/units
 * (stored units listed as "recovering"), and agent.started comes after
 * recovery, once the units are re-attached. The agent runs on the fake driver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiClient } from '../../src/api/client.js';
import { agentRoutes } from '../../src/api/routes/index.js';
import { serveAgent } from '../../src/api/serve-agent.js';
import type { UnitView } from '../../src/supervisor/agent.js';
import type { HostAgent } from '../../src/supervisor/host-agent.js';
import { agentWithTwoUnits, restartAgent } from '../supervisor/agent-fixture.js';
import { until } from '../helpers/agent-process.js';

test('the socket answers while the agent recovers; units show as recovering, then running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-serve-'));
  const first = await agentWithTwoUnits();
  let served: Promise<number> | undefined;
  try {
    const { second, release } = restartAgent(first, { holdRecovery: true });
    const host = {
      agent: second.agent,
      isolations: async () => ({ fake: { ok: true, detail: 'fake driver' } }),
      cgroupMode: () => 'fake',
      close: async () => {
        await second.agent.close(false);
        second.ledger.close();
      },
    } as unknown as HostAgent;
    const socket = join(dir, 'b.sock');
    served = serveAgent({ root: first.root, socket, dockerSocket: false, logEvents: false, routes: agentRoutes, openHost: async () => host });
    const client = new ApiClient({ host: `unix://${socket}`, timeoutMs: 5000 });
    await until('the socket to answer', async () => ((await client.get<{ ok: boolean }>('/v1/health')).ok ? true : undefined), 10_000, 20);
    const units = await client.get<UnitView[]>('/v1/units');
    assert.equal(units.map((u) => [u.name, u.state]), [['a', 'recovering'], ['b', 'recovering']]);
    const info = await client.get<{ units: { total: number; running: number } }>('/v1/info');
    assert.equal([info.units.total, info.units.running], [2, 0]);
    assert.not.ok(second.ledger.since(0).some((e) => e.type === 'agent.started'), 'agent.started waits for recovery');
    release();
    const started = await until('agent.started', () => second.ledger.since(0).find((e) => e.type === 'agent.started'), 10_000, 20);
    assert.is(started.type === 'agent.started' && started.recovered, 2);
    assert.equal((await client.get<UnitView[]>('/v1/units')).map((u) => u.state), ['running', 'running']);
  } finally {
    if (served) {
      process.emit('SIGTERM');
      await served;
    }
    first.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
