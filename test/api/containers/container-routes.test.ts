/**
 * The container routes in process (a stub agent): DELETE takes force as
 * true or 1, kill names an unknown signal, a create body is validated.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApi } from '../../../src/api/server.js';
import { registerContainerRoutes, signalName } from '../../../src/api/routes/containers.js';
import type { ApiContext } from '../../../src/api/api-context.js';

test('DELETE force=1|true|0, kill with a bad signal, a create body without image', async () => {
  const calls: unknown[] = [];
  const agent = { units: new Map(), removeUnit: async (n: string, o: unknown) => void calls.push([n, o]) } as unknown as ApiContext['agent'];
  const app = await buildApi({ agent, info: async () => ({}) as never, uploadDir: () => '', log: () => undefined }, { routes: [registerContainerRoutes] });
  try {
    for (const q of ['force=1', 'force=true', 'force=0', '']) assert.is((await app.inject({ method: 'DELETE', url: `/v1/units/x?${q}` })).statusCode, 204);
    assert.equal(calls.map((c) => (c as [string, { force: boolean }])[1].force), [true, true, false, false]);
    const k = await app.inject({ method: 'POST', url: '/v1/units/x/kill', payload: { signal: 'NOPE' } });
    assert.is(k.statusCode, 400);
    assert.match(k.body, 'unknown signal NOPE');
    const c = await app.inject({ method: 'POST', url: '/v1/containers', payload: { name: 'x' } });
    assert.is(c.statusCode, 400);
    assert.match(c.body, 'image');
    const m = await app.inject({ method: 'POST', url: '/v1/containers', payload: { image: 'busybox', name: 'x', memory: '64Zi' } });
    assert.is(m.statusCode, 400);
    assert.match(m.body, '--memory');
  } finally {
    await app.close();
  }
});

test('signal names', () => {
  assert.is(signalName('9'), 'SIGKILL');
  assert.is(signalName('term'), 'SIGTERM');
  assert.is(signalName('SIGHUP'), 'SIGHUP');
});

test.run();
