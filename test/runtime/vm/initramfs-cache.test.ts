/**
 * The initramfs cache stays bounded: the planner's rules as a table, then
 * real builds (cpio, no QEMU) where a second image's build prunes the first
 * image's entries once its layers are gone, and a size bound keeps only
 * what was used last.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildInitramfs } from '../../../src/runtime/vm/initramfs.js';
import { planPrune, pruneInitramfsCache, type CacheEntry } from '../../../src/runtime/vm/initramfs-cache.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';

requireRoot();
requireTool('cpio');

const DAY = 86_400_000;
const NOW = 100 * DAY;
const policy = { maxAgeMs: 14 * DAY, maxBytes: 1000, graceMs: 600_000 };
const entry = (name: string, kind: CacheEntry['kind'], ageMs: number, more: Partial<CacheEntry> = {}): CacheEntry => ({ name, kind, bytes: 100, lastUsed: NOW - ageMs, ...more });
const names = (entries: CacheEntry[], layerExists: (d: string) => boolean = () => true) => planPrune(entries, policy, NOW, layerExists).map((d) => d.name).sort();

test('plan: leftovers of interrupted builds go unless fresh', () => {
  assert.equal(names([entry('initrd-a.img.tmp-1-ab', 'tmp', DAY), entry('initrd-b.img.tmp-1-cd', 'tmp', 1000)]), ['initrd-a.img.tmp-1-ab']);
});

test('plan: a removed image takes its base and the initrds built from it; a fresh one stays', () => {
  const gone = (d: string) => d !== '/layers/gone';
  const entries = [
    entry('base-old.cpio.gz', 'base', 2 * DAY, { layers: ['/layers/gone', '/layers/kept'] }),
    entry('initrd-old.img', 'initrd', 2 * DAY, { base: 'base-old.cpio.gz' }),
    entry('base-live.cpio.gz', 'base', 2 * DAY, { layers: ['/layers/kept'] }),
    entry('initrd-live.img', 'initrd', 2 * DAY, { base: 'base-live.cpio.gz' }),
    entry('base-now.cpio.gz', 'base', 1000, { layers: ['/layers/gone'] }),
    entry('extras-x.cpio.gz', 'extras', 2 * DAY),
  ];
  assert.equal(names(entries, gone), ['base-old.cpio.gz', 'initrd-old.img']);
  assert.match(planPrune(entries, policy, NOW, gone)[0]!.why, /image is gone \(no layer \/layers\/gone\)/);
});

test('plan: not used for maxAge goes; over maxBytes the least recently used go first, fresh ones never', () => {
  assert.equal(names([entry('extras-old.cpio.gz', 'extras', 15 * DAY), entry('extras-new.cpio.gz', 'extras', 13 * DAY)]), ['extras-old.cpio.gz']);
  const big = (n: string, age: number) => entry(n, 'initrd', age, { bytes: 400 });
  assert.equal(names([big('initrd-1.img', 3 * DAY), big('initrd-2.img', 2 * DAY), big('initrd-3.img', DAY)]), ['initrd-1.img'], '1200 → 800 bytes');
  assert.equal(names([big('initrd-1.img', 1000), big('initrd-2.img', 2000), big('initrd-3.img', 3000)]), [], 'all fresh: over the bound but kept');
});

test('real builds: the next build prunes a removed image\'s entries and stays under maxBytes', async () => {
  const dir = mkdtempSync('/tmp/bt-initrd-cache-');
  try {
    const layer = (name: string) => {
      const d = join(dir, name);
      mkdirSync(join(d, 'etc'), { recursive: true });
      writeFileSync(join(d, 'etc', name), name.repeat(1000));
      return d;
    };
    const cache = join(dir, 'cache');
    const input = (layers: string[]) => ({ layers, init: '#!/bin/sh\necho hi\n', busybox: requireTool('busybox'), modules: {} });
    const a = await buildInitramfs(cache, input([layer('a')]));
    const files = readdirSync(cache);
    assert.ok(files.includes(`${a.split('/').pop()}.json`), 'the initrd names its base');
    assert.ok(files.some((f) => f.startsWith('base-') && f.endsWith('.cpio.gz.json')), 'the base lists its layers');
    // image a is removed by the image store, and its entries were last used a day ago
    rmSync(join(dir, 'a'), { recursive: true });
    const old = new Date(Date.now() - DAY);
    for (const f of readdirSync(cache)) utimesSync(join(cache, f), old, old);
    const pruned: string[] = [];
    const b = await buildInitramfs(cache, { ...input([layer('b')]), onPruned: (r) => pruned.push(...r.map((x) => x.name)) });
    const left = readdirSync(cache);
    assert.not.ok(left.includes(a.split('/').pop()!), 'the initrd of the removed image is gone');
    assert.is(left.filter((f) => f.startsWith('base-') && !f.endsWith('.json')).length, 1, 'only b\'s base is left');
    assert.ok(left.some((f) => f.startsWith('extras-')), 'the shared extras stay (just used)');
    assert.ok(left.includes(b.split('/').pop()!));
    assert.is(pruned.length, 2, pruned.join(' '));
    assert.not.ok(left.some((f) => f.endsWith('.json') && !left.includes(f.slice(0, -5))), 'no orphan sidecars');

    // a size bound of one byte: everything not used in the grace period goes; a reuse counts as a use
    for (const f of readdirSync(cache)) utimesSync(join(cache, f), old, old);
    const mtime = statSync(b).mtimeMs;
    assert.is(await buildInitramfs(cache, input([join(dir, 'b')])), b, 'reused');
    assert.is(statSync(b).mtimeMs, mtime, 'a reuse keeps the build time');
    const removed = pruneInitramfsCache(cache, { maxBytes: 1 });
    assert.equal(removed, [], 'all three were just used');
    assert.is(pruneInitramfsCache(cache, { maxBytes: 1, graceMs: 0 }).length, 3);
    assert.equal(readdirSync(cache), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
