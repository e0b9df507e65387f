/**
 * pullImage / pushImage between berth's image store and a real
 * docker-registry: push what berth built, delete it locally, pull it back
 * with the same digest; a corrupt or failing transfer leaves no image;
 * skopeo sees what berth pushed and berth pulls what skopeo pushed.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { ImageStore } from '../../../src/image/image-store.js';
import { pullImage, type TransferEvent } from '../../../src/image/registry/pull-image.js';
import { pushImage } from '../../../src/image/registry/push-image.js';
import { RegistryClient } from '../../../src/image/registry/registry-client.js';
import { startLocalRegistry, type LocalRegistry } from '../../helpers/local-registry.js';
import { requireTool } from '../../helpers/require-tool.js';
import { startFaultProxy } from './fault-proxy.js';
import { makeTinyImage, writeOciLayout } from './tiny-image.js';

const run = promisify(execFile);
const test = suite('pull-push');
let reg: LocalRegistry;
let root: string;
let store: ImageStore;

test.before(async () => {
  reg = await startLocalRegistry();
  root = await mkdtemp(join(tmpdir(), 'bt-pullpush-'));
  store = await ImageStore.open(root);
});
test.after(async () => {
  await reg?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const uniq = () => `bt-${randomBytes(4).toString('hex')}`;

async function seed(repo: string, tag: string, layerBytes = 0) {
  const img = makeTinyImage(layerBytes);
  const c = new RegistryClient({ host: reg.host, insecure: true });
  for (const b of [img.layer, img.config]) await c.putBlob(repo, b, b.bytes);
  await c.putManifest(repo, tag, img.manifest.bytes, img.manifest.mediaType);
  return img;
}

async function fails(p: Promise<unknown>): Promise<BerthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.instance(err, BerthError, String(err));
  return err as BerthError;
}

test('push what berth built, delete it locally, pull it back: same digest, same files', async () => {
  const src = join(root, 'ctx');
  await mkdir(join(src, 'etc'), { recursive: true });
  await writeFile(join(src, 'etc', 'motd'), `built by berth ${uniq()}\n`);
  const layer = await store.addLayer({ dir: src });
  const built = await store.writeImage({ config: { config: { Cmd: ['/bin/sh'] } }, layers: [layer], ref: 'bt-local/app:v1' });
  const dest = `${reg.host}/${uniq()}/app:v1`;
  const events: TransferEvent[] = [];
  const pushed = await pushImage(store, 'bt-local/app:v1', dest, { root, insecure: true, onEvent: (e) => events.push(e) });
  assert.is(pushed.digest, built.digest);
  assert.is(pushed.uploaded, 2);
  assert.ok(events.some((e) => e.type === 'blob' && e.kind === 'layer'));
  await store.remove('bt-local/app:v1', { force: true });
  assert.not.ok(await store.blobs.has(built.manifest.layers[0]!.digest), 'the layer blob is gone locally');
  const pulled = await pullImage(store, dest, { root, insecure: true });
  assert.is(pulled.digest, built.digest);
  assert.is(pulled.downloaded, 2);
  const dirs = await store.layerDirs(dest);
  assert.match(await readFile(join(dirs[0]!, 'etc', 'motd'), 'utf8'), 'built by berth');
  const again = await pullImage(store, dest, { root, insecure: true });
  assert.is(again.reused, 2, 'a second pull downloads nothing');
});

test('unknown tag: E_TAG_NOT_FOUND, nothing stored', async () => {
  const repo = uniq();
  await seed(repo, 'v1');
  const e = await fails(pullImage(store, `${reg.host}/${repo}:v2`, { root, insecure: true }));
  assert.is(e.code, 'E_TAG_NOT_FOUND');
  assert.match(e.message, 'tag v2');
});

test('a corrupt layer: E_DIGEST_MISMATCH, no image, no blob', async () => {
  const repo = uniq();
  const img = await seed(repo, 'v1', 50_000);
  const proxy = await startFaultProxy({ target: reg.host, fault: (req) => (req.method === 'GET' && req.url?.includes(img.layer.digest) ? { kind: 'flip' } : undefined) });
  try {
    const e = await fails(pullImage(store, `${proxy.host}/${repo}:v1`, { root, insecure: true }));
    assert.is(e.code, 'E_DIGEST_MISMATCH');
    assert.not.ok(await store.blobs.has(img.layer.digest));
    await fails(store.resolve(`${proxy.host}/${repo}:v1`));
  } finally {
    await proxy.close();
  }
});

test('a registry failing with 500 mid-pull leaves no half image; a rerun finishes and reuses what was whole', async () => {
  const repo = uniq();
  const img = await seed(repo, 'v1');
  const proxy = await startFaultProxy({ target: reg.host, fault: (req) => (req.method === 'GET' && req.url?.includes(img.layer.digest) ? { kind: 'status', status: 500 } : undefined) });
  try {
    const c = new RegistryClient({ host: proxy.host, insecure: true, backoffMs: 1, retries: 1 });
    const e = await fails(pullImage(store, `${proxy.host}/${repo}:v1`, { root, client: c, concurrency: 1 }));
    assert.is(e.code, 'E_REGISTRY_UNAVAILABLE');
    await fails(store.resolve(`${proxy.host}/${repo}:v1`));
    assert.ok(await store.blobs.has(img.config.digest), 'the config blob finished and is kept');
    const ok = await pullImage(store, `${proxy.host}/${repo}:v1`, { root, insecure: true, client: new RegistryClient({ host: reg.host, insecure: true }) });
    assert.is(ok.digest, img.manifest.digest);
    assert.is(ok.reused, 1);
    assert.is(ok.downloaded, 1);
  } finally {
    await proxy.close();
  }
});

test('a pull killed mid-layer (SIGKILL) leaves no image; the next pull completes', async () => {
  const repo = uniq();
  const img = await seed(repo, 'v1', 400_000);
  const proxy = await startFaultProxy({ target: reg.host, fault: (req) => (req.method === 'GET' && req.url?.includes(img.layer.digest) ? { kind: 'stall', after: 100_000 } : undefined) });
  const ref = `${proxy.host}/${repo}:v1`;
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./pull-child.ts', import.meta.url).pathname, root, ref], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"type":"blob","digest":"' + img.layer.digest)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`pull exited (${code}) before the layer started:\n${out}`)));
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    await fails(store.resolve(ref));
    assert.not.ok(await store.blobs.has(img.layer.digest), 'no partial layer blob');
    const ok = await pullImage(store, ref, { root, client: new RegistryClient({ host: reg.host, insecure: true }) });
    assert.is(ok.digest, img.manifest.digest);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await proxy.close();
  }
});

test('a Docker manifest list: linux/amd64 is picked, Docker media types kept', async () => {
  const repo = uniq();
  const c = new RegistryClient({ host: reg.host, insecure: true });
  const docker = (img: ReturnType<typeof makeTinyImage>) => Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: img.config.digest, size: img.config.size },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: img.layer.digest, size: img.layer.size }],
  }));
  const entries = [];
  for (const arch of ['arm64', 'amd64']) {
    const img = makeTinyImage();
    for (const b of [img.layer, img.config]) await c.putBlob(repo, b, b.bytes);
    const bytes = docker(img);
    const digest = await c.putManifest(repo, `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes, 'application/vnd.docker.distribution.manifest.v2+json');
    entries.push({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest, size: bytes.length, platform: { architecture: arch, os: 'linux' } });
  }
  const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: entries }));
  await c.putManifest(repo, 'multi', list, 'application/vnd.docker.distribution.manifest.list.v2+json');
  const pulled = await pullImage(store, `${reg.host}/${repo}:multi`, { root, insecure: true });
  assert.is(pulled.digest, entries[1]!.digest);
  assert.is(pulled.image.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.is((await store.layerDirs(pulled.image)).length, 1);
});

test('interop: skopeo inspects what berth pushed; berth pulls what skopeo pushed', async () => {
  requireTool('skopeo');
  const repo = uniq();
  const img = await seed(repo, 'v1');
  await pullImage(store, `${reg.host}/${repo}:v1`, { root, insecure: true });
  const dest = `${reg.host}/${repo}/copy:v2`;
  const events: TransferEvent[] = [];
  const pushed = await pushImage(store, `${reg.host}/${repo}:v1`, dest, { root, insecure: true, onEvent: (e) => events.push(e) });
  assert.ok(events.some((e) => e.type === 'blob-done' && e.kind === 'layer' && e.outcome === 'mounted'), 'layers are mounted from the repository the image came from');
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${dest}`]);
  const seen = JSON.parse(stdout) as { Digest: string; Layers: string[] };
  assert.is(seen.Digest, pushed.digest);
  assert.equal(seen.Layers, [img.layer.digest]);

  const other = makeTinyImage(1000);
  const layout = join(root, `layout-${repo}`);
  await writeOciLayout(layout, other, 'x');
  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:x`, `docker://${reg.host}/${repo}/from-skopeo:latest`]);
  const pulled = await pullImage(store, `${reg.host}/${repo}/from-skopeo`, { root, insecure: true });
  const image = await store.resolve(`${reg.host}/${repo}/from-skopeo:latest`);
  assert.is(image.manifest.layers[0]!.digest, other.layer.digest);
  assert.is(pulled.image.id, other.config.digest);
});

test.run();
