/**
 * Runtime detection on this host, for real: crun when it works (through the
 * hybrid-cgroup wrapper when the cgroup2 has controllers), else runc; the
 * probe is cached under the state dir.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectRuntime, hybridWithControllers } from '../../../src/runtime/container/runtime-detect.js';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { requireContainerTools } from './setup.js';

requireContainerTools();
const test = suite('runtime detection');
const root = mkdtempSync(join(tmpdir(), 'bt-detect-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('picks a working runtime, says why, and caches the probe', async () => {
  const info = await detectRuntime(root);
  assert.ok(['crun', 'runc'].includes(info.name));
  assert.match(info.version, /^\d+\.\d+/);
  assert.ok(info.why.length > 10);
  if (info.name === 'crun' && hybridWithControllers()) {
    assert.equal(info.fix, 'hybrid-cgroup-wrapper');
    assert.match(readFileSync(info.command, 'utf8'), /unshare -m --propagation private/);
  } else assert.equal(info.fix, 'none');
  const cache = join(root, 'runtime', 'probe.json');
  assert.ok(existsSync(cache));
  const before = statSync(cache).mtimeMs;
  const t0 = Date.now();
  assert.equal(await detectRuntime(root), info);
  assert.equal(statSync(cache).mtimeMs, before, 'served from the cache');
  assert.ok(Date.now() - t0 < 500);
  // no probe bundle left behind
  assert.equal(readdirSync(join(root, 'runtime')).filter((f) => f.startsWith('berth-probe-')), []);
});

test('available() names runtime, fix and conmon for `berth info`', async () => {
  const a = await new ContainerDriver({ root }).available();
  assert.ok(a.ok, a.detail);
  assert.match(a.detail, /^(crun|runc) \S+ .*\+ conmon \S+: /);
});

test.run();
