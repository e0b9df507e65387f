/**
 * RegistryClient against a real docker-registry on 127.0.0.1: push a
 * hand-made image, pull it back, 404s, catalog/tags pagination, chunked
 * upload and cross-repo mount, delete, and retries on 5xx.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/image/registry/registry-client.js';
import { searchRegistry, splitSearchTerm } from '../../../src/image/registry/search-registry.js';
import { startLocalRegistry, type LocalRegistry } from '../../helpers/local-registry.js';
import { startFaultProxy } from './fault-proxy.js';
import { makeTinyImage, type TinyImage } from './tiny-image.js';

const test = suite('registry-client');
let reg: LocalRegistry;
let client: RegistryClient;

test.before(async () => {
  reg = await startLocalRegistry();
  client = new RegistryClient({ host: reg.host, insecure: true, backoffMs: 1 });
});
test.after(async () => {
  await reg?.stop();
});

const name = () => `bt-${randomBytes(4).toString('hex')}/app`;

async function push(c: RegistryClient, repo: string, img: TinyImage, tag: string, chunkSize?: number): Promise<string> {
  for (const b of [img.layer, img.config]) await c.putBlob(repo, b, b.bytes, { chunkSize });
  return c.putManifest(repo, tag, img.manifest.bytes, img.manifest.mediaType);
}

/** A sink collecting bytes in memory. */
function memorySink(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

async function code(p: Promise<unknown>): Promise<BerthError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, BerthError);
    return err as BerthError;
  }
  throw new Error('expected an error');
}

test('ping answers with the v2 API version', async () => {
  const p = await client.ping();
  assert.is(p.apiVersion, 'registry/2.0');
  assert.is(p.auth, 'none');
});

test('push a hand-made image and pull it back with the same digests', async () => {
  const repo = name();
  const img = makeTinyImage();
  const digest = await push(client, repo, img, 'v1');
  assert.is(digest, img.manifest.digest);
  const got = await client.resolveImage(repo, 'v1');
  assert.is(got.digest, img.manifest.digest);
  assert.ok(got.bytes.equals(img.manifest.bytes));
  assert.is(got.manifest.layers[0]!.digest, img.layer.digest);
  const progress: number[] = [];
  const mem = memorySink();
  const res = await client.getBlob(repo, img.layer.digest, mem.sink, { size: img.layer.size, onProgress: (p) => progress.push(p.done) });
  assert.is(res.size, img.layer.size);
  assert.ok(mem.bytes().equals(img.layer.bytes));
  assert.is(progress.at(-1), img.layer.size);
  assert.ok(await client.blobExists(repo, img.config.digest));
  const head = await client.headManifest(repo, 'v1');
  assert.is(head?.digest, img.manifest.digest);
  // A second push finds every blob already there.
  assert.is(await client.putBlob(repo, img.layer, img.layer.bytes), 'exists');
});

test('unknown tag is E_TAG_NOT_FOUND naming the tag; unknown repo is E_IMAGE_NOT_FOUND', async () => {
  const repo = name();
  await push(client, repo, makeTinyImage(), 'v1');
  const e = await code(client.getManifest(repo, 'nope'));
  assert.is(e.code, 'E_TAG_NOT_FOUND');
  assert.match(e.message, 'tag nope not found');
  assert.match(e.message, repo);
  const e2 = await code(client.listTags(`${repo}-missing`));
  assert.is(e2.code, 'E_IMAGE_NOT_FOUND');
  assert.is(await client.headManifest(repo, 'nope'), undefined);
});

test('catalog and tags page through Link headers', async () => {
  const repo = name();
  const img = makeTinyImage();
  await push(client, repo, img, 'a');
  for (const t of ['b', 'c']) await client.putManifest(repo, t, img.manifest.bytes, img.manifest.mediaType);
  const spy = await startFaultProxy({ target: reg.host });
  try {
    const viaProxy = new RegistryClient({ host: spy.host, insecure: true });
    assert.equal((await viaProxy.listTags(repo, 1)).sort(), ['a', 'b', 'c']);
    // distribution 2.8 pages the catalog (its tag lists come in one page).
    const seen: string[] = [];
    for await (const r of viaProxy.catalog(1)) seen.push(r);
    assert.ok(seen.includes(repo), `catalog lists ${repo}`);
    assert.ok(seen.length >= 2);
    assert.is(spy.seen.filter((s) => s.includes('/_catalog')).length, seen.length, 'one request per page');
  } finally {
    await spy.close();
  }
});

test('chunked upload and cross-repository mount', async () => {
  const a = name();
  const b = name();
  const img = makeTinyImage(200_000);
  assert.is(await client.putBlob(a, img.layer, img.layer.bytes, { chunkSize: 64 * 1024 }), 'uploaded');
  const mem = memorySink();
  await client.getBlob(a, img.layer.digest, mem.sink, { size: img.layer.size });
  assert.ok(mem.bytes().equals(img.layer.bytes));
  assert.is(await client.putBlob(b, img.layer, img.layer.bytes, { mountFrom: a }), 'mounted');
  assert.ok(await client.blobExists(b, img.layer.digest));
  // A streamed (factory) source, monolithic.
  const c = makeTinyImage(50_000);
  const out = await client.putBlob(b, c.layer, () => {
    const p = new PassThrough();
    p.end(c.layer.bytes);
    return p;
  });
  assert.is(out, 'uploaded');
});

test('delete a manifest by tag', async () => {
  const repo = name();
  const img = makeTinyImage();
  await push(client, repo, img, 'gone');
  assert.is(await client.deleteManifest(repo, 'gone'), img.manifest.digest);
  assert.is(await client.headManifest(repo, img.manifest.digest), undefined);
});

test('5xx is retried for idempotent requests, then E_REGISTRY_UNAVAILABLE', async () => {
  const repo = name();
  const img = makeTinyImage();
  await push(client, repo, img, 'v1');
  const flaky = await startFaultProxy({ target: reg.host, fault: (req, n) => (req.url?.includes('/manifests/') && n < 2 ? { kind: 'status', status: 503 } : undefined) });
  const down = await startFaultProxy({ target: reg.host, fault: () => ({ kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}' }) });
  try {
    const c = new RegistryClient({ host: flaky.host, insecure: true, backoffMs: 1 });
    assert.is((await c.getManifest(repo, 'v1')).digest, img.manifest.digest);
    assert.is(flaky.seen.filter((s) => s.startsWith('GET') && s.includes('/manifests/')).length, 3);
    const d = new RegistryClient({ host: down.host, insecure: true, backoffMs: 1, retries: 2 });
    const e = await code(d.getManifest(repo, 'v1'));
    assert.is(e.code, 'E_REGISTRY_UNAVAILABLE');
    assert.match(e.message, 'disk on fire');
    assert.is(down.seen.length, 3);
  } finally {
    await flaky.close();
    await down.close();
  }
});

test('search matches a term over the catalog, and says when there is no catalog', async () => {
  const repo = `${name()}-searchme`;
  await push(client, repo, makeTinyImage(), 'v1');
  const hit = await searchRegistry(client, 'SEARCHME', { tags: true });
  assert.equal(hit, { host: reg.host, available: true, hits: [{ repository: repo, tags: ['v1'] }], truncated: false });
  const none = await searchRegistry(client, 'no-such-thing');
  assert.equal(none.available && none.hits, []);
  const proxy = await startFaultProxy({ target: reg.host, fault: (req) => (req.url?.startsWith('/v2/_catalog') ? { kind: 'status', status: 404, body: '404 page not found' } : undefined) });
  try {
    const res = await searchRegistry(new RegistryClient({ host: proxy.host, insecure: true }), 'x');
    assert.is(res.available, false);
    assert.match(!res.available ? res.reason : '', 'does not offer a catalog');
  } finally {
    await proxy.close();
  }
  assert.equal(splitSearchTerm('127.0.0.1:5000/web'), { host: '127.0.0.1:5000', term: 'web' });
  assert.equal(splitSearchTerm('localhost'), { host: 'localhost', term: '' });
  assert.equal(splitSearchTerm('nginx'), { host: 'docker.io', term: 'nginx' });
});

test.run();
