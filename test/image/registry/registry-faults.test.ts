/**
 * Blob transfers that go wrong, through a fault proxy in front of a real
 * docker-registry: a flipped byte is refused and the sink destroyed; a
 * transfer cut short resumes with Range, or restarts cleanly when the
 * registry ignores Range; https against a plain-http local registry says
 * --insecure.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { RegistryClient } from '../../../src/image/registry/registry-client.js';
import { startLocalRegistry, type LocalRegistry } from '../../helpers/local-registry.js';
import { startFaultProxy, type Fault } from './fault-proxy.js';
import { makeTinyImage, type TinyImage } from './tiny-image.js';

const test = suite('registry-faults');
let reg: LocalRegistry;
let repo: string;
let img: TinyImage;

test.before(async () => {
  reg = await startLocalRegistry();
  repo = `bt-${randomBytes(4).toString('hex')}/big`;
  img = makeTinyImage(300_000);
  const c = new RegistryClient({ host: reg.host, insecure: true });
  for (const b of [img.layer, img.config]) await c.putBlob(repo, b, b.bytes);
  await c.putManifest(repo, 'v1', img.manifest.bytes, img.manifest.mediaType);
});
test.after(async () => {
  await reg?.stop();
});

function memorySink(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

async function through(fault: (n: number) => Fault | undefined, fn: (c: RegistryClient, seen: string[]) => Promise<void>): Promise<void> {
  const proxy = await startFaultProxy({ target: reg.host, fault: (req, n) => (req.method === 'GET' && req.url?.includes('/blobs/sha256:') ? fault(n) : undefined) });
  try {
    await fn(new RegistryClient({ host: proxy.host, insecure: true, backoffMs: 1 }), proxy.seen);
  } finally {
    await proxy.close();
  }
}

test('a flipped byte is E_DIGEST_MISMATCH and the sink is destroyed', async () => {
  await through(() => ({ kind: 'flip' }), async (c) => {
    const mem = memorySink();
    try {
      await c.getBlob(repo, img.layer.digest, mem.sink, { size: img.layer.size });
      assert.unreachable('a corrupt blob was accepted');
    } catch (err) {
      assert.instance(err, BerthError);
      assert.is((err as BerthError).code, 'E_DIGEST_MISMATCH');
      assert.match((err as BerthError).message, img.layer.digest);
    }
    assert.ok(mem.sink.destroyed, 'the caller is told to discard what was written');
  });
});

test('a corrupt manifest is refused', async () => {
  const proxy = await startFaultProxy({ target: reg.host, fault: (req) => (req.url?.includes('/manifests/') ? { kind: 'flip' } : undefined) });
  try {
    const c = new RegistryClient({ host: proxy.host, insecure: true });
    await c.getManifest(repo, img.manifest.digest).then(
      () => assert.unreachable('accepted'),
      (err: BerthError) => assert.is(err.code, 'E_DIGEST_MISMATCH'),
    );
  } finally {
    await proxy.close();
  }
});

test('a transfer cut short resumes with Range', async () => {
  await through((n) => (n === 0 ? { kind: 'cut', after: 100_000 } : undefined), async (c, seen) => {
    const mem = memorySink();
    const res = await c.getBlob(repo, img.layer.digest, mem.sink, { size: img.layer.size });
    assert.is(res.resumed, 1);
    assert.ok(mem.bytes().equals(img.layer.bytes));
    const ranged = seen.filter((s) => s.includes('bytes='));
    assert.is(ranged.length, 1);
    assert.match(ranged[0]!, /bytes=\d+-$/);
  });
});

test('a registry that ignores Range: the blob restarts and no byte is written twice', async () => {
  await through((n) => (n === 0 ? { kind: 'cut', after: 100_000 } : { kind: 'strip-range' }), async (c) => {
    const mem = memorySink();
    const res = await c.getBlob(repo, img.layer.digest, mem.sink, { size: img.layer.size });
    assert.is(res.resumed, 1);
    assert.is(mem.bytes().length, img.layer.size);
    assert.ok(mem.bytes().equals(img.layer.bytes));
  });
});

test('a transfer that keeps breaking gives up with a clear error', async () => {
  await through(() => ({ kind: 'cut', after: 1000 }), async (c) => {
    const mem = memorySink();
    const err = await c.getBlob(repo, img.layer.digest, mem.sink, { size: img.layer.size, resumes: 2 }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, BerthError);
    assert.is((err as BerthError).code, 'E_REGISTRY_UNREACHABLE');
    assert.match((err as BerthError).message, /broke off|ended after/);
    assert.ok(mem.sink.destroyed);
  });
});

test('https against a plain-http local registry: E_REGISTRY_TLS hinting --insecure', async () => {
  const c = new RegistryClient({ host: reg.host });
  const err = await c.ping().then(() => undefined, (e: unknown) => e);
  assert.instance(err, BerthError);
  assert.is((err as BerthError).code, 'E_REGISTRY_TLS');
  assert.match((err as BerthError).hint ?? '', '--insecure');
  assert.match((err as BerthError).hint ?? '', 'not insecure by default');
});

test('nothing listening: E_REGISTRY_UNREACHABLE, connection refused', async () => {
  const { freePort } = await import('../../helpers/local-registry.js');
  const c = new RegistryClient({ host: `127.0.0.1:${await freePort()}`, insecure: true });
  const err = await c.ping().then(() => undefined, (e: unknown) => e);
  assert.is((err as BerthError).code, 'E_REGISTRY_UNREACHABLE');
  assert.match((err as BerthError).message, 'connection refused');
});

test.run();
