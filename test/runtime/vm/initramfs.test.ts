/**
 * The initramfs builder with real cpio/overlay (no QEMU): layers merged with
 * overlay semantics (a whiteout hides a lower file), berth's /init and
 * tools appended, results cached, concurrent builds of one image shared.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildInitramfs } from '../../../src/runtime/vm/initramfs.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';

requireRoot();
requireTool('cpio');

/** Names in every newc archive of a concatenation (as the kernel reads it: zero padding between archives skipped). */
function list(img: string): string[] {
  const buf = gunzipSync(readFileSync(img));
  const names: string[] = [];
  let off = 0;
  const pad4 = (n: number) => (n + 3) & ~3;
  while (off < buf.length) {
    if (buf[off] === 0) { off++; continue; }
    assert.is(buf.toString('latin1', off, off + 6), '070701', `newc magic at ${off}`);
    const field = (i: number) => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
    const fileSize = field(6);
    const nameSize = field(11);
    const name = buf.toString('utf8', off + 110, off + 110 + nameSize - 1);
    off = pad4(off + 110 + nameSize);
    off = pad4(off + fileSize);
    if (name !== 'TRAILER!!!') names.push(name);
  }
  return names;
}

test('two layers with a whiteout, /init and /.berth appended, cached, built once when raced', async () => {
  const dir = mkdtempSync('/tmp/bt-initrd-');
  try {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'etc'), { recursive: true });
    writeFileSync(join(lower, 'etc', 'gone'), 'x');
    writeFileSync(join(lower, 'etc', 'kept'), 'x');
    writeFileSync(join(upper, 'etc', 'new'), 'x');
    execFileSync('mknod', [join(upper, 'etc', 'gone'), 'c', '0', '0']); // an overlay whiteout
    const input = { layers: [upper, lower], init: '#!/bin/sh\necho hi\n', busybox: requireTool('busybox'), modules: {} };
    const cache = join(dir, 'cache');
    const [a, b] = await Promise.all([buildInitramfs(cache, input), buildInitramfs(cache, input)]);
    assert.is(a, b);
    const names = list(a);
    for (const want of ['etc/kept', 'etc/new', 'init', '.berth/busybox']) assert.ok(names.includes(want), `${want} in ${names.join(' ')}`);
    assert.not.ok(names.includes('etc/gone'), 'the whiteout hides the lower file');
    const mtime = statSync(a).mtimeMs;
    assert.is(await buildInitramfs(cache, input), a);
    assert.is(statSync(a).mtimeMs, mtime, 'reused from the cache');
    assert.equal(readdirSync(cache).filter((n) => n.includes('.tmp-') || n.includes('.tree-')), [], 'no temp files left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
