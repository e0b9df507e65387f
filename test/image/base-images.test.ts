import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureBaseImage, isBaseImage, resolveImage } from '../../src/image/base-images.js';
import { mirrorFromSources } from '../../src/image/debian-rootfs.js';
import { ImageStore } from '../../src/image/image-store.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

requireRoot();
requireTool('busybox', 'apt-get install busybox-static (scripts/setup)');
const sh = promisify(execFile);

async function withStore(fn: (s: ImageStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bt-base-'));
  try { await fn(await ImageStore.open(root), root); } finally { await rm(root, { recursive: true, force: true }); }
}

test('scratch has no layers', () =>
  withStore(async (s) => {
    const img = await ensureBaseImage(s, 'scratch');
    assert.equal(img.manifest.layers, []);
    assert.equal(await s.layerDirs('scratch'), []);
  }));

test('busybox: one layer with busybox, applets, passwd, tmp; runs sh; made once, same digest every time', () =>
  withStore(async (s, root) => {
    const events: string[] = [];
    const [a, b] = await Promise.all([ensureBaseImage(s, 'busybox', (e) => events.push(e.message)), ensureBaseImage(s, 'busybox:latest')]);
    assert.is(a.digest, b.digest, 'two callers at once get one image');
    assert.is(a.manifest.layers.length, 1);
    assert.equal(a.config.config?.Cmd, ['sh']);
    assert.ok(a.config.config?.Env?.some((e) => e.startsWith('PATH=')));
    const [dir] = await s.layerDirs('busybox');
    const passwd = await readFile(join(dir!, 'etc/passwd'), 'utf8');
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    assert.is((await stat(join(dir!, 'tmp'))).mode & 0o7777, 0o1777);
    await stat(join(dir!, 'var/www'));
    const out = (await sh('chroot', [dir!, '/bin/sh', '-c', 'echo $((6*7)); ls /bin/ls && wc -l < /etc/group'])).stdout;
    assert.equal(out.trim().split('\n'), ['42', '/bin/ls', '2']);
    // Deterministic: another store makes the very same image.
    const other = await ImageStore.open(join(root, 'other'));
    assert.is((await ensureBaseImage(other, 'busybox')).digest, a.digest);
  }));

test('resolveImage makes base images on demand and passes other misses through', () =>
  withStore(async (s) => {
    assert.is((await resolveImage(s, 'busybox')).names[0], 'docker.io/library/busybox:latest');
    const c = await resolveImage(s, 'nosuch').then(() => 'found', (e: { code: string }) => e.code);
    assert.is(c, 'E_IMAGE_NOT_FOUND');
    assert.ok(isBaseImage('debian:bookworm'));
    assert.not.ok(isBaseImage('debian:trixie'));
    assert.not.ok(isBaseImage('Not A Ref'));
  }));

test('the Debian mirror is read from deb822 or one-line sources', () => {
  const deb822 = 'Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n';
  assert.is(mirrorFromSources(deb822), 'http://deb.example/debian');
  assert.is(mirrorFromSources('deb [arch=amd64] http://one.example/debian bookworm main\n'), 'http://one.example/debian');
  assert.is(mirrorFromSources('deb http://x/debian bullseye main\n'), undefined);
});

test.run();
