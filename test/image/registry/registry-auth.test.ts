/**
 * Authentication against real registries: docker-registry with htpasswd
 * (basic auth, 401 without or with wrong credentials) and a bearer token
 * flow through a proxy with its own token endpoint (token fetched with basic
 * credentials, cached per scope).
 */
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/image/registry/registry-client.js';
import { startLocalRegistry, type LocalRegistry } from '../../helpers/local-registry.js';
import { startFaultProxy } from './fault-proxy.js';
import { makeTinyImage } from './tiny-image.js';

const test = suite('registry-auth');
const creds = { username: 'berth', password: `pw-${randomBytes(4).toString('hex')}` };
let basic: LocalRegistry;
let open: LocalRegistry;

test.before(async () => {
  [basic, open] = await Promise.all([startLocalRegistry({ auth: creds }), startLocalRegistry()]);
});
test.after(async () => {
  await Promise.all([basic?.stop(), open?.stop()]);
});

async function fails(p: Promise<unknown>): Promise<BerthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.instance(err, BerthError);
  return err as BerthError;
}

test('basic auth: anonymous is E_REGISTRY_AUTH "login needed"', async () => {
  const e = await fails(new RegistryClient({ host: basic.host, insecure: true }).getManifest('x/y', 'latest'));
  assert.is(e.code, 'E_REGISTRY_AUTH');
  assert.match(e.message, `login needed: berth login ${basic.host}`);
});

test('basic auth: wrong password is "rejected the stored credentials"', async () => {
  const e = await fails(new RegistryClient({ host: basic.host, insecure: true, credentials: { ...creds, password: 'wrong' } }).ping());
  assert.is(e.code, 'E_REGISTRY_AUTH');
  assert.match(e.message, 'rejected');
});

test('basic auth: push and pull with credentials', async () => {
  const c = new RegistryClient({ host: basic.host, insecure: true, credentials: creds });
  assert.is((await c.ping()).auth, 'basic');
  const img = makeTinyImage();
  for (const b of [img.layer, img.config]) await c.putBlob('team/app', b, b.bytes);
  await c.putManifest('team/app', 'v1', img.manifest.bytes, img.manifest.mediaType);
  assert.is((await c.resolveImage('team/app', 'v1')).digest, img.manifest.digest);
});

test('bearer: token fetched with basic credentials, cached per scope', async () => {
  const proxy = await startFaultProxy({ target: open.host, bearer: creds });
  try {
    const c = new RegistryClient({ host: proxy.host, insecure: true, credentials: creds });
    const img = makeTinyImage();
    for (const b of [img.layer, img.config]) await c.putBlob('team/app', b, b.bytes);
    await c.putManifest('team/app', 'v1', img.manifest.bytes, img.manifest.mediaType);
    const before = proxy.tokenRequests.length;
    assert.ok(before >= 1);
    assert.match(proxy.tokenRequests[0]!, 'service=fault-proxy');
    assert.match(decodeURIComponent(proxy.tokenRequests[0]!), 'scope=repository:team/app:pull,push');
    await c.getManifest('team/app', 'v1');
    await c.getManifest('team/app', 'v1');
    assert.is(proxy.tokenRequests.length, before + 1, 'one token for the pull scope, then cached');
    const anon = await fails(new RegistryClient({ host: proxy.host, insecure: true }).getManifest('team/app', 'v1'));
    assert.is(anon.code, 'E_REGISTRY_AUTH');
    const wrong = await fails(new RegistryClient({ host: proxy.host, insecure: true, credentials: { ...creds, password: 'no' } }).getManifest('team/app', 'v1'));
    assert.is(wrong.code, 'E_REGISTRY_AUTH');
    assert.match(wrong.message, 'bad credentials');
  } finally {
    await proxy.close();
  }
});

test.run();
