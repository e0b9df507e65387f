import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageStore } from '../../src/image/image-store.js';
import { tarStream } from '../../src/image/tar-writer.js';
import { requireRoot } from '../helpers/require-tool.js';

requireRoot();
const execFileP = promisify(execFile);

async function tarOf(dir: string, files: Record<string, string>): Promise<Readable> {
  const entries = [];
  for (const [path, text] of Object.entries(files)) {
    const source = join(dir, `src-${Math.random().toString(16).slice(2)}`);
    await writeFile(source, text);
    entries.push({ path, type: 'File' as const, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), size: Buffer.byteLength(text), source });
  }
  return tarStream(entries);
}

async function withStore(fn: (s: ImageStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bt-store-'));
  try { await fn(await ImageStore.open(root), root); } finally { await rm(root, { recursive: true, force: true }); }
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try { await p; return undefined; } catch (err) { return (err as { code?: string }).code; }
}

async function twoLayerImage(s: ImageStore, root: string, ref = 'app:v1') {
  const l1 = await s.addLayer(await tarOf(root, { 'a.txt': 'one', 'shared.txt': 'base' }));
  const l2 = await s.addLayer(await tarOf(root, { 'b.txt': 'two', 'shared.txt': 'top' }), { mediaType: 'application/vnd.oci.image.layer.v1.tar' });
  return s.writeImage({
    ref, layers: [l1, l2],
    config: { config: { Cmd: ['sh'] }, history: [{ created_by: 'ADD a' }, { created_by: 'ENV X=1', empty_layer: true }, { created_by: 'ADD b' }] },
  });
}

test('writeImage → resolve → layerDirs (top-most first) → history → inspect', () =>
  withStore(async (s, root) => {
    const img = await twoLayerImage(s, root);
    assert.equal(img.names, ['docker.io/library/app:v1']);
    const again = await s.resolve('app:v1');
    assert.is(again.digest, img.digest);
    assert.equal(again.config.rootfs.diff_ids.length, 2);
    assert.is((await s.resolve(img.digest)).digest, img.digest, 'by manifest digest');
    assert.is((await s.resolve(img.id.slice(7, 19))).digest, img.digest, 'by image ID prefix');
    assert.is((await s.resolve(`docker.io/library/app@${img.digest}`)).digest, img.digest, 'name@digest');
    const dirs = await s.layerDirs('app:v1');
    assert.is(dirs.length, 2);
    assert.is(await readFile(join(dirs[0]!, 'shared.txt'), 'utf8'), 'top', 'top-most first');
    assert.is(await readFile(join(dirs[1]!, 'a.txt'), 'utf8'), 'one');
    assert.equal(img.manifest.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar']);
    const h = await s.history('app:v1');
    assert.equal(h.map((r) => r.createdBy), ['ADD b', 'ENV X=1', 'ADD a']);
    assert.is(h[1]!.size, 0);
    assert.ok(h[0]!.size > 0);
    const info = await s.inspect('app:v1');
    assert.equal(info.RepoTags, ['app:v1']);
    assert.equal((info.Layers as Array<{ Dir: string }>).map((l) => l.Dir), [...dirs].reverse());
  }));

test('unknown images: E_IMAGE_NOT_FOUND with known names and how to add one', () =>
  withStore(async (s, root) => {
    await twoLayerImage(s, root);
    try {
      await s.resolve('nosuch:1');
      assert.unreachable();
    } catch (err) {
      const e = err as { code: string; hint: string };
      assert.is(e.code, 'E_IMAGE_NOT_FOUND');
      assert.ok(e.hint.includes('app:v1'));
      assert.ok(e.hint.includes('busybox') && e.hint.includes('berth image base'));
    }
  }));

test('tag, untag, rmi: names move, the last name removes the image and its own blobs and layers', () =>
  withStore(async (s, root) => {
    const img = await twoLayerImage(s, root);
    await s.tag('app:v1', 'localhost:5000/team/app:prod');
    assert.equal((await s.list()).map((r) => `${r.repository}:${r.tag}`).sort(), ['app:v1', 'localhost:5000/team/app:prod']);
    assert.is(await code(s.remove(img.digest)), 'E_IMAGE_AMBIGUOUS', 'by digest with two names needs force');
    assert.equal(await s.remove('app:v1'), { untagged: ['docker.io/library/app:v1'], deleted: [] });
    const blobsBefore = (await readdir(join(root, 'images/blobs/sha256'))).length;
    assert.is(blobsBefore, 4);
    const r = await s.remove('localhost:5000/team/app:prod');
    assert.equal(r.deleted, [img.digest]);
    assert.equal(await readdir(join(root, 'images/blobs/sha256')), []);
    assert.equal(await readdir(join(root, 'images/layers')), []);
    assert.equal(await s.list(), []);
  }));

test('retagging leaves a dangling image that prune removes; shared layers stay', () =>
  withStore(async (s, root) => {
    const first = await twoLayerImage(s, root);
    const base = first.manifest.layers[0]!;
    const l3 = await s.addLayer(await tarOf(root, { 'c.txt': 'three' }));
    const second = await s.writeImage({ ref: 'app:v1', layers: [s.layersOf(first)[0]!, l3], config: {} });
    const rows = await s.list();
    assert.equal(rows.map((r) => r.tag).sort(), ['<none>', 'v1']);
    const junk = await s.addLayer(await tarOf(root, { 'junk': 'x' }));
    const p = await s.prune({ graceMs: 3_600_000 });
    assert.equal(p.removedImages, [first.digest]);
    assert.ok(p.removedBlobs.includes(first.manifest.layers[1]!.digest));
    assert.not.ok(p.removedBlobs.includes(base.digest), 'shared layer kept');
    assert.not.ok(p.removedBlobs.includes(junk.descriptor.digest), 'young unreferenced blob kept (grace)');
    const p2 = await s.prune({ graceMs: 0 });
    assert.equal(p2.removedBlobs, [junk.descriptor.digest]);
    assert.equal(p2.removedLayers, [junk.diffID]);
    assert.ok(p2.bytes > 0);
    assert.equal((await s.layerDirs(second)).length, 2);
  }));

test('holds: a held image needs force; its layers survive rmi -f until released', () =>
  withStore(async (s, root) => {
    const img = await twoLayerImage(s, root);
    const dirs = await s.layerDirs(img);
    await s.hold('ctr-1', 'app:v1');
    assert.is(await code(s.remove('app:v1')), 'E_IMAGE_IN_USE');
    await s.remove('app:v1', { force: true });
    assert.equal((await readdir(join(root, 'images/layers'))).length, 2, 'layers kept for the container');
    await s.prune({ graceMs: 0 });
    assert.equal((await readdir(join(root, 'images/layers'))).length, 2);
    await s.release('ctr-1');
    await s.prune({ graceMs: 0 });
    assert.equal(await readdir(join(root, 'images/layers')), []);
    void dirs;
  }));

test('a corrupt layer blob is never unpacked; a corrupt config is E_CORRUPT_BLOB on resolve', () =>
  withStore(async (s, root) => {
    const img = await twoLayerImage(s, root);
    const layerDir = join(root, 'images/layers');
    for (const d of await readdir(layerDir)) await rm(join(layerDir, d), { recursive: true });
    const blob = s.blobs.path(img.manifest.layers[1]!.digest);
    const bytes = await readFile(blob);
    bytes[bytes.length - 700] ^= 0xff;
    await writeFile(blob, bytes);
    try {
      await s.layerDirs('app:v1');
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_CORRUPT_BLOB');
      assert.ok((err as Error).message.includes(img.manifest.layers[1]!.digest));
    }
    assert.equal((await readdir(layerDir)).length, 1, 'only the good layer was unpacked');
    assert.equal(await readdir(join(root, 'images/tmp')), [], 'no half-unpacked temp dirs left');
    await writeFile(s.blobs.path(img.id), '{"rootfs":{"diff_ids":[]}}');
    assert.is(await code(s.resolve('app:v1')), 'E_CORRUPT_BLOB');
  }));

test('writeImage refuses history that does not match the layers, and records nothing', () =>
  withStore(async (s, root) => {
    const l = await s.addLayer(await tarOf(root, { f: 'x' }));
    assert.is(await code(s.writeImage({ ref: 'x', layers: [l], config: { history: [{ created_by: 'a', empty_layer: true }] } })), 'E_BAD_IMAGE');
    assert.equal(await s.list(), []);
  }));

test('two processes unpacking the same layers at once both get whole dirs, made once', () =>
  withStore(async (s, root) => {
    const l1 = await s.addLayer(await tarOf(root, { 'a.txt': 'one' }), { unpack: false });
    const l2 = await s.addLayer(await tarOf(root, { 'b.txt': 'two' }), { unpack: false });
    await s.writeImage({ ref: 'lazy:1', layers: [l1, l2], config: {} });
    assert.equal(await readdir(join(root, 'images/layers')), []);
    const script = join(root, 'unpacker.mts');
    await writeFile(script, `
      import { ImageStore } from ${JSON.stringify(new URL('../../src/image/image-store.ts', import.meta.url).pathname)};
      const s = await ImageStore.open(process.argv[2]);
      process.stdout.write(JSON.stringify(await s.layerDirs('lazy:1')));
    `);
    const run = () => execFileP(process.execPath, ['--import', 'tsx', script, root], { cwd: new URL('../..', import.meta.url).pathname });
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(JSON.parse(a.stdout), JSON.parse(b.stdout));
    const dirs = JSON.parse(a.stdout) as string[];
    assert.is(await readFile(join(dirs[0]!, 'b.txt'), 'utf8'), 'two');
    assert.is(await readFile(join(dirs[1]!, 'a.txt'), 'utf8'), 'one');
    assert.is((await readdir(join(root, 'images/layers'))).length, 2);
    assert.equal(await readdir(join(root, 'images/tmp')), []);
  }));

test('two processes writing images and tagging at once keep every name (index lock)', () =>
  withStore(async (_s, root) => {
    const script = join(root, 'writer.mts');
    await writeFile(script, `
      import { ImageStore } from ${JSON.stringify(new URL('../../src/image/image-store.ts', import.meta.url).pathname)};
      const s = await ImageStore.open(process.argv[2]);
      for (let i = 0; i < 4; i++) {
        const img = await s.writeImage({ ref: process.argv[3] + ':' + i, layers: [], config: { created: new Date(i * 1000).toISOString(), author: process.argv[3] } });
        await s.tag(img.digest, process.argv[3] + ':alias' + i);
      }
    `);
    const run = (who: string) => execFileP(process.execPath, ['--import', 'tsx', script, root, who], { cwd: new URL('../..', import.meta.url).pathname });
    await Promise.all([run('one'), run('two')]);
    const s = await ImageStore.open(root);
    const names = (await s.list()).map((r) => `${r.repository}:${r.tag}`);
    assert.is(names.length, 16, names.join(' '));
    assert.equal(await readdir(join(root, 'images/tmp')), []);
  }));

test.run();
