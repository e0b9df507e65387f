import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApi } from '../../src/api/server.js';
import { registerObjectRoutes } from '../../src/api/routes/objects.js';
import type { ApiContext } from '../../src/api/api-context.js';
import { makeAgent, unitText } from '../supervisor/agent-fixture.js';

test('networks and volumes: declared ones, the default network, on-demand volumes, and their users', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [
      'name: app\nkind: network\nsubnet: 10.89.7.0/24\n',
      'name: data\nkind: volume\n',
      unitText('web', 'network: { attach: [app, default] }\nvolumes: [ { name: data, path: /d }, { name: cache, path: /c } ]\n'),
    ]);
    await t.agent.apply('/u');
    const ctx = { agent: t.agent, info: async () => ({ root: '/r' }), uploadDir: () => '', log: () => {} } as unknown as ApiContext;
    const app = await buildApi(ctx, { routes: [registerObjectRoutes] });
    const nets = (await app.inject({ url: '/v1/networks' })).json();
    assert.equal(nets, [
      { name: 'app', subnet: '10.89.7.0/24', declared: true, units: ['web'] },
      { name: 'default', declared: false, units: ['web'] },
    ]);
    const vols = (await app.inject({ url: '/v1/volumes' })).json();
    assert.equal(vols, [
      { name: 'cache', path: '/r/volumes/cache/_data', declared: false, units: ['web'] },
      { name: 'data', path: '/r/volumes/data/_data', declared: true, units: ['web'] },
    ]);
    await app.close();
  } finally {
    t.cleanup();
  }
});

test.run();
