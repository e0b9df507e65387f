/**
 * Layers both ways: an overlay upper dir → OCI layer tar (diffDirToLayer) →
 * unpacked lowerdir (unpackLayer), keeping owners, modes, links, devices,
 * and turning whiteouts overlay → OCI → overlay.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, link, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sha256Digest } from '../../src/image/digest.js';
import { diffDirToLayer, packDir } from '../../src/image/layer-pack.js';
import { unpackLayer } from '../../src/image/layer-unpack.js';
import { tarStream } from '../../src/image/tar-writer.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

requireRoot();
requireTool('setfattr');
requireTool('zstd');

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function tarNames(tar: Buffer): string[] {
  return execFileSync('tar', ['--numeric-owner', '-tvf', '-'], { input: tar, encoding: 'utf8' }).trim().split('\n');
}

async function withDirs(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bt-layer-'));
  try { await fn(root); } finally { await rm(root, { recursive: true, force: true }); }
}

async function makeUpper(up: string): Promise<void> {
  await mkdir(join(up, 'etc/app'), { recursive: true });
  await writeFile(join(up, 'etc/app/conf'), 'x=1\n');
  await chown(join(up, 'etc/app/conf'), 1000, 1001);
  await chmod(join(up, 'etc/app/conf'), 0o4750);
  await link(join(up, 'etc/app/conf'), join(up, 'etc/app/hard'));
  await symlink('/etc/app/conf', join(up, 'etc/abs-link'));
  await symlink('../../../../outside', join(up, 'etc/app/climb'));
  await mkdir(join(up, 'tmp'));
  await chmod(join(up, 'tmp'), 0o1777);
  await mkdir(join(up, 'dev'));
  execFileSync('mknod', [join(up, 'dev/null'), 'c', '1', '3']);
  execFileSync('mkfifo', [join(up, 'dev/fifo')]);
  execFileSync('mknod', [join(up, 'etc/gone'), 'c', '0', '0']); // overlay whiteout
  await mkdir(join(up, 'var/cache'), { recursive: true });
  await writeFile(join(up, 'var/cache/new'), 'n');
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(up, 'var/cache')]);
}

test('diffDirToLayer writes OCI whiteouts, devices, links; the same tree gives the same bytes', () =>
  withDirs(async (root) => {
    const up = join(root, 'upper');
    await makeUpper(up);
    const tar = await collect(diffDirToLayer(up));
    const again = await collect(diffDirToLayer(up));
    assert.is(sha256Digest(tar), sha256Digest(again));
    const lines = tarNames(tar);
    const find = (name: string) => lines.find((l) => l.includes(` ${name}`) && new RegExp(`\\d\\d:\\d\\d ${name.replace(/[.]/g, '\\.')}( |$)`).test(l));
    assert.ok(find('etc/.wh.gone'), 'whiteout entry');
    assert.ok(find('var/cache/.wh..wh..opq'), 'opaque marker');
    assert.match(find('dev/null')!, /^c.* 1,3 /);
    assert.match(find('dev/fifo')!, /^p/);
    assert.match(find('etc/app/conf')!, /^-rwsr-x--- 1000\/1001/);
    assert.match(find('etc/app/hard')!, /^h.*link to etc\/app\/conf/);
    assert.not.ok(lines.some((l) => /^c.* 0,0 /.test(l)), 'no raw overlay whiteouts in an OCI layer');
    // Without whiteout conversion a plain rootfs keeps its device nodes as they are.
    assert.ok(tarNames(await collect(packDir(up))).some((l) => /^c.* 0,0 .*etc\/gone$/.test(l)));
  }));

test('unpackLayer restores everything and turns OCI whiteouts into overlay whiteouts', () =>
  withDirs(async (root) => {
    const up = join(root, 'upper');
    await makeUpper(up);
    const tar = await collect(diffDirToLayer(up));
    for (const [label, bytes, compression] of [['plain', tar, 'none'], ['gzip', gzipSync(tar), 'gzip'], ['zstd', execFileSync('zstd', ['-q', '-c'], { input: tar }), 'zstd']] as const) {
      const out = join(root, `out-${label}`);
      await mkdir(out);
      const r = await unpackLayer(Readable.from([bytes]), out, sha256Digest(tar));
      assert.is(r.diffID, sha256Digest(tar), label);
      assert.is(r.compression, compression);
      assert.is(r.whiteouts, 1);
      assert.is(r.opaqueDirs, 1);
      const conf = await stat(join(out, 'etc/app/conf'));
      assert.is(conf.mode & 0o7777, 0o4750, 'setuid kept');
      assert.is(conf.uid, 1000);
      assert.is(conf.gid, 1001);
      assert.is((await stat(join(out, 'etc/app/hard'))).ino, conf.ino, 'hard link');
      assert.is(await readlink(join(out, 'etc/abs-link')), '/etc/app/conf', 'absolute symlink kept verbatim');
      assert.is(await readlink(join(out, 'etc/app/climb')), '../../../../outside', 'climbing symlink kept verbatim');
      assert.is((await stat(join(out, 'tmp'))).mode & 0o7777, 0o1777);
      const dev = await lstat(join(out, 'dev/null'));
      assert.ok(dev.isCharacterDevice());
      assert.is(dev.rdev, (await lstat('/dev/null')).rdev);
      assert.ok((await lstat(join(out, 'dev/fifo'))).isFIFO());
      const wh = await lstat(join(out, 'etc/gone'));
      assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'overlay whiteout');
      const attr = execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', join(out, 'var/cache')], { encoding: 'utf8' });
      assert.is(attr, 'y');
      assert.is(await readFile(join(out, 'var/cache/new'), 'utf8'), 'n');
    }
  }));

test('a layer whose bytes do not match its diffID is E_CORRUPT_BLOB', () =>
  withDirs(async (root) => {
    const tar = await collect(tarStream([{ path: 'f', type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), size: 0 }]));
    await mkdir(join(root, 'o'));
    try {
      await unpackLayer(Readable.from([tar]), join(root, 'o'), sha256Digest('something else'));
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_CORRUPT_BLOB');
    }
  }));

test('entries escaping the layer are refused and write nothing outside', () =>
  withDirs(async (root) => {
    const base = { mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), size: 1 } as const;
    const evil = join(root, 'evil-src');
    await writeFile(evil, 'x');
    await mkdir(join(root, 'a'));
    const dotdot = await collect(tarStream([{ ...base, path: '../escaped', type: 'File', source: evil }]));
    try {
      await unpackLayer(Readable.from([dotdot]), join(root, 'a'));
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_BAD_LAYER');
    }
    assert.is(await stat(join(root, 'escaped')).catch(() => undefined), undefined);
    // A symlink to a host dir followed by a file "through" it must not reach the host dir.
    await mkdir(join(root, 'b'));
    await mkdir(join(root, 'target'));
    const through = await collect(tarStream([
      { ...base, path: 'link', type: 'SymbolicLink', linkpath: join(root, 'target'), size: 0 },
      { ...base, path: 'link/owned', type: 'File', source: evil },
    ]));
    await unpackLayer(Readable.from([through]), join(root, 'b')).catch(() => undefined);
    assert.is(await stat(join(root, 'target/owned')).catch(() => undefined), undefined);
  }));

test.run();
