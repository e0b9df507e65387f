/**
 * Interop: what berth saves, skopeo reads; what umoci makes, berth loads;
 * whiteouts survive umoci → berth → overlay, and berth commit-style layers
 * → skopeo → umoci. Also docker-save tars.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sha256Digest } from '../../src/image/digest.js';
import { ImageStore } from '../../src/image/image-store.js';
import { diffDirToLayer } from '../../src/image/layer-pack.js';
import { loadImage, saveImage } from '../../src/image/oci-archive.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

requireRoot();
for (const t of ['skopeo', 'umoci', 'unshare']) requireTool(t);
const sh = promisify(execFile);
const run = async (cmd: string, args: string[]) => (await sh(cmd, args, { maxBuffer: 64 << 20 })).stdout;

async function withRoot(fn: (root: string, store: ImageStore) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bt-arch-'));
  try { await fn(root, await ImageStore.open(join(root, 'berth'))); } finally { await rm(root, { recursive: true, force: true }); }
}

/** An OCI layout made by umoci: layer 1 adds hello.txt and etc/gone, layer 2 deletes etc/gone. Returned as a tar. */
async function umociArchive(root: string): Promise<string> {
  const layout = join(root, 'umoci-layout');
  const bundle = join(root, 'bundle');
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:latest`]);
  await run('umoci', ['unpack', '--image', `${layout}:latest`, bundle]);
  await mkdir(join(bundle, 'rootfs/etc'), { recursive: true });
  await writeFile(join(bundle, 'rootfs/hello.txt'), 'hello from umoci\n');
  await writeFile(join(bundle, 'rootfs/etc/gone'), 'soon deleted\n');
  await run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:latest`, bundle]);
  await rm(join(bundle, 'rootfs/etc/gone'));
  await run('umoci', ['repack', '--image', `${layout}:latest`, bundle]);
  await run('umoci', ['config', '--image', `${layout}:latest`, '--config.cmd', 'sh']);
  const file = join(root, 'umoci.tar');
  await run('tar', ['-C', layout, '-cf', file, '.']);
  return file;
}

test('an image made with umoci loads; its layerDirs show the files and an overlay whiteout', () =>
  withRoot(async (root, store) => {
    const file = await umociArchive(root);
    const loaded = await loadImage(store, file, { name: 'umoci-made:v1' });
    assert.is(loaded.length, 1);
    assert.is(loaded[0]!.name, 'umoci-made:v1', 'umoci names only the tag, so -t names it');
    const dirs = await store.layerDirs('umoci-made:v1');
    assert.is(dirs.length, 2);
    assert.is(await readFile(join(dirs[1]!, 'hello.txt'), 'utf8'), 'hello from umoci\n');
    const wh = await lstat(join(dirs[0]!, 'etc/gone'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'OCI whiteout became an overlay whiteout');
    // The real test of a whiteout: mount the layers as overlay lowerdirs.
    const merged = join(root, 'merged');
    await mkdir(merged);
    const out = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
      `mount -t overlay overlay -o lowerdir=${dirs.join(':')} ${merged} && ls -a ${merged} ${merged}/etc`]);
    assert.ok(out.includes('hello.txt'));
    assert.not.ok(out.includes('gone'), `etc/gone must be hidden by the whiteout:\n${out}`);
    assert.equal((await store.resolve('umoci-made:v1')).config.config?.Cmd, ['sh']);
  }));

test('berth save writes an OCI archive skopeo inspects; a commit layer whiteout reaches umoci', () =>
  withRoot(async (root, store) => {
    const base = (await loadImage(store, await umociArchive(root), { name: 'base:1' }))[0]!.image;
    // A commit: an overlay upper dir that deletes hello.txt and adds new.txt.
    const upper = join(root, 'upper');
    await mkdir(upper);
    await writeFile(join(upper, 'new.txt'), 'committed\n');
    await run('mknod', [join(upper, 'hello.txt'), 'c', '0', '0']);
    const layer = await store.addLayer(diffDirToLayer(upper));
    const img = await store.writeImage({
      ref: 'localhost:5000/team/committed:v2',
      layers: [...store.layersOf(base), layer],
      config: { ...base.config, history: [...(base.config.history ?? []), { created_by: 'berth commit', comment: 'test' }] },
    });
    const file = join(root, 'saved.tar');
    await saveImage(store, 'localhost:5000/team/committed:v2', file);
    const info = JSON.parse(await run('skopeo', ['inspect', `oci-archive:${file}`])) as { Digest: string; Layers: string[] };
    assert.is(info.Digest, img.digest);
    assert.equal(info.Layers, img.manifest.layers.map((l) => l.digest));
    const raw = JSON.parse(await run('skopeo', ['inspect', '--raw', `oci-archive:${file}`])) as { config: { digest: string } };
    assert.is(raw.config.digest, img.id);
    // skopeo copies it into a layout umoci unpacks: the whiteout deleted hello.txt.
    const layout = join(root, 'copied');
    await run('skopeo', ['copy', `oci-archive:${file}`, `oci:${layout}:x`]);
    const bundle = join(root, 'bundle2');
    await run('umoci', ['unpack', '--image', `${layout}:x`, bundle]);
    const files = await readdir(join(bundle, 'rootfs'));
    assert.ok(files.includes('new.txt'));
    assert.not.ok(files.includes('hello.txt'), 'whiteout applied by umoci');
    // And it loads back into a fresh store with its full name.
    const other = await ImageStore.open(join(root, 'other'));
    const back = await loadImage(other, file);
    assert.is(back[0]!.name, 'localhost:5000/team/committed:v2');
    assert.is(back[0]!.image.digest, img.digest);
  }));

test('a docker-save tar loads with its RepoTags; a bad diffID is refused with nothing recorded', () =>
  withRoot(async (root, store) => {
    const src = join(root, 'layer-src');
    await mkdir(src);
    await writeFile(join(src, 'f.txt'), 'docker\n');
    const dir = join(root, 'docker');
    await mkdir(join(dir, 'abc'), { recursive: true });
    await run('tar', ['-C', src, '-cf', join(dir, 'abc/layer.tar'), 'f.txt']);
    const diffID = sha256Digest(await readFile(join(dir, 'abc/layer.tar')));
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['cat', '/f.txt'] }, rootfs: { type: 'layers', diff_ids: [diffID] } });
    await writeFile(join(dir, 'cfg.json'), config);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'cfg.json', RepoTags: ['dock/er:1', 'dock/er:latest'], Layers: ['abc/layer.tar'] }]));
    const file = join(root, 'docker.tar');
    await run('tar', ['-C', dir, '-cf', file, '.']);
    const loaded = await loadImage(store, file);
    assert.is(loaded[0]!.image.id, sha256Digest(config), 'the config bytes are kept: same image ID');
    assert.equal((await store.list()).map((r) => r.tag).sort(), ['1', 'latest']);
    assert.is(await readFile(join((await store.layerDirs('dock/er:1'))[0]!, 'f.txt'), 'utf8'), 'docker\n');
    // Corrupt: the config claims another diffID.
    await writeFile(join(dir, 'cfg.json'), config.replace(diffID, sha256Digest('other')));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'cfg.json', RepoTags: ['bad:1'], Layers: ['abc/layer.tar'] }]));
    await run('tar', ['-C', dir, '-cf', file, '.']);
    try {
      await loadImage(store, file);
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_CORRUPT_BLOB');
    }
    assert.is((await store.resolve('bad:1').catch((e: { code: string }) => e.code)), 'E_IMAGE_NOT_FOUND');
  }));

test('load refuses what is not an image archive', () =>
  withRoot(async (root, store) => {
    await writeFile(join(root, 'junk'), 'not a tar');
    for (const f of [join(root, 'junk'), join(root, 'missing.tar')]) {
      const c = await loadImage(store, f).then(() => 'loaded', (e: { code: string }) => e.code);
      assert.ok(['E_BAD_ARCHIVE', 'E_NOT_FOUND'].includes(c), c);
    }
  }));

test.run();
