// The cgroup layouts on a fake /sys/fs/cgroup tree (v2 cannot be mounted on this host: it is hybrid v1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cgroup, detectCgroups } from '../../../src/runtime/process/cgroup.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'bt-cg-')); dirs.push(d); return d; };
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test('v2: one folder, controllers enabled down the path, memory.max / pids.max / cpu.max', () => {
  const base = tmp();
  writeFileSync(join(base, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  const layout = detectCgroups(base);
  assert.equal(layout, { version: 2, base, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] });
  const cg = new Cgroup(layout, 'berth/web-1');
  assert.equal(cg.dirs, [join(base, 'berth/web-1')]);
  cg.create();
  // a regular file keeps the last write: enough to see that each level was asked
  assert.is(readFileSync(join(base, 'cgroup.subtree_control'), 'utf8'), '+cpu');
  assert.is(readFileSync(join(base, 'berth', 'cgroup.subtree_control'), 'utf8'), '+cpu');
  assert.equal(cg.applyLimits({ memoryBytes: 1 << 20, pids: 5, cpus: 1.5 }), []);
  assert.is(readFileSync(join(cg.dirs[0]!, 'memory.max'), 'utf8'), String(1 << 20));
  assert.is(readFileSync(join(cg.dirs[0]!, 'pids.max'), 'utf8'), '5');
  assert.is(readFileSync(join(cg.dirs[0]!, 'cpu.max'), 'utf8'), '150000 100000');
  assert.equal(cg.procsFiles(), [join(base, 'berth/web-1/cgroup.procs')]);
  writeFileSync(join(cg.dirs[0]!, 'cgroup.procs'), '12\n34\n');
  assert.equal(cg.pids(), [12, 34]);
  writeFileSync(join(cg.dirs[0]!, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  assert.is(cg.oomKills(), 1);
  writeFileSync(join(cg.dirs[0]!, 'cgroup.events'), 'populated 1\nfrozen 1\n');
  assert.ok(cg.isFrozen());
  cg.setFrozen(false);
  assert.is(readFileSync(join(cg.dirs[0]!, 'cgroup.freeze'), 'utf8'), '0');
  writeFileSync(join(cg.dirs[0]!, 'memory.current'), '4096\n');
  writeFileSync(join(cg.dirs[0]!, 'cpu.stat'), 'usage_usec 250\nuser_usec 200\n');
  assert.equal(cg.usage(), { cpuNs: 250_000, memoryBytes: 4096, memoryLimitBytes: 1 << 20 });
});

test('v1: a folder per controller; cpu and cpuacct mounted together are joined once; a missing controller is reported', () => {
  const base = tmp();
  for (const c of ['memory', 'freezer', 'cpu,cpuacct']) { mkdirSync(join(base, c)); writeFileSync(join(base, c, 'cgroup.procs'), ''); }
  symlinkSync('cpu,cpuacct', join(base, 'cpu'));
  symlinkSync('cpu,cpuacct', join(base, 'cpuacct'));
  const layout = detectCgroups(base);
  assert.equal(layout, { version: 1, base, controllers: ['memory', 'cpu', 'cpuacct', 'freezer'] });
  const cg = new Cgroup(layout, 'berth/web-1');
  assert.equal(cg.dirs, [join(base, 'memory/berth/web-1'), join(base, 'cpu,cpuacct/berth/web-1'), join(base, 'freezer/berth/web-1')]);
  cg.create();
  assert.equal(cg.applyLimits({ memoryBytes: 1 << 20, pids: 5, cpus: 0.25 }), ['pids']);
  assert.is(readFileSync(join(base, 'memory/berth/web-1/memory.limit_in_bytes'), 'utf8'), String(1 << 20));
  assert.is(readFileSync(join(base, 'cpu/berth/web-1/cpu.cfs_quota_us'), 'utf8'), '25000');
  cg.setFrozen(true);
  assert.is(readFileSync(join(base, 'freezer/berth/web-1/freezer.state'), 'utf8'), 'FROZEN');
  writeFileSync(join(base, 'memory/berth/web-1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.is(cg.oomKills(), 2);
});

test.run();
