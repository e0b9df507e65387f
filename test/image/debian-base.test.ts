/**
 * The debian:bookworm base image: debootstrap from the host's mirror (slow,
 * ~40 s on an idle machine, minutes on a busy one; needs the Debian mirror).
 * Made once, then cached. It is on demand, never in the quick path: it runs
 * with BERTH_TEST_SLOW=1; otherwise it is not registered and a line on stderr
 * says so (uvu skips confuse scripts/run-tests.ts's counts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureBaseImage } from '../../src/image/base-images.js';
import { hostDebianMirror } from '../../src/image/debian-rootfs.js';
import { ImageStore } from '../../src/image/image-store.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

requireRoot();
requireTool('debootstrap');
const sh = promisify(execFile);

test('the host names a Debian mirror for bookworm (what debootstrap will use)', async () => {
  const mirror = await hostDebianMirror('bookworm');
  assert.match(mirror, /^https?:\/\//);
});

const slow = process.env.BERTH_TEST_SLOW === '1';
if (!slow) process.stderr.write('debian-base: skipped (slow: debootstrap); run with BERTH_TEST_SLOW=1\n');
if (slow) test('debian:bookworm is made once with debootstrap, runs apt-get, and is cached', async () => {
  const root = await mkdtemp(join(tmpdir(), 'bt-debian-'));
  try {
    const store = await ImageStore.open(root);
    const lines: string[] = [];
    const img = await ensureBaseImage(store, 'debian:bookworm', (e) => lines.push(e.message));
    assert.ok(lines.some((l) => l.includes('debootstrap')), 'progress is reported');
    assert.is(img.manifest.layers.length, 1);
    assert.equal(img.config.config?.Cmd, ['bash']);
    const [dir] = await store.layerDirs('debian:bookworm');
    assert.match(await readFile(join(dir!, 'etc/os-release'), 'utf8'), /bookworm/);
    const out = (await sh('chroot', [dir!, '/bin/sh', '-c', 'readlink /bin; test -c /dev/null && echo devnull; apt-get --version | head -1'])).stdout;
    assert.match(out, /usr\/bin/);
    assert.match(out, /^apt /m);
    const again: string[] = [];
    assert.is((await ensureBaseImage(store, 'debian:bookworm', (e) => again.push(e.message))).digest, img.digest);
    assert.equal(again, [], 'the second call uses the stored image');
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    assert.not.ok(mounts.includes(root), 'debootstrap left no mounts behind');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test.run();
