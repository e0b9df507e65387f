/**
 * Resource limits enforced by the kernel on real containers: memory (an OOM
 * kill is recorded as such), pids (fork fails), cpus (CFS quota written).
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools, until } from './setup.js';

requireContainerTools();
const test = suite('container limits');
const { driver, root, cleanup } = makeDriver();
const MiB = 1024 * 1024;

test.after(() => cleanup());

test('memory limit: a leaking process is OOM-killed and the exit says so', async () => {
  const spec = busyboxSpec(['/fixtures/leak-memory'], { resources: { memoryBytes: 16 * MiB } });
  const h = await driver.start(spec);
  try {
    const exit = await driver.wait(h);
    assert.equal(exit.oomKilled, true);
    assert.ok(exit.signal === 'SIGKILL' || exit.code === 137, JSON.stringify(exit));
    const status = await driver.inspect(h);
    assert.equal(status.state, 'exited');
    assert.equal(status.exit?.oomKilled, true);
  } finally {
    await driver.destroy(h);
  }
  assert.equal(leftovers(spec.id, root), []);
});

test('inspect reports the memory limit and usage from the cgroup', async () => {
  const spec = busyboxSpec(['/fixtures/forever'], { resources: { memoryBytes: 32 * MiB, cpus: 0.5 } });
  const h = await driver.start(spec);
  try {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    const s = await driver.inspect(h);
    assert.equal(s.usage?.memoryLimitBytes, 32 * MiB);
    assert.ok((s.usage?.memoryBytes ?? 0) > 0);
    assert.ok((s.usage?.cpuNs ?? -1) >= 0);
    const quota = readFileSync(`/sys/fs/cgroup/cpu/berth/${spec.id}/cpu.cfs_quota_us`, 'utf8').trim();
    assert.equal(quota, '50000');
  } finally {
    await driver.destroy(h);
  }
  assert.equal(leftovers(spec.id, root), []);
});

test('the container sees its own memory limit in /sys/fs/cgroup, read-only', async () => {
  const spec = busyboxSpec(['/bin/sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; d=/sys/fs/cgroup/memory; [ -d $d ] || d=/sys/fs/cgroup; touch $d/x 2>/dev/null && echo rw || echo ro'], { resources: { memoryBytes: 24 * MiB } });
  const h = await driver.start(spec);
  try {
    await driver.wait(h);
    assert.equal(logLines(h.logPath), [String(24 * MiB), 'ro']);
  } finally {
    await driver.destroy(h);
  }
});

test('pids limit: forking past it fails inside the container', async () => {
  // busybox sh gives up with "can't fork" when a fork fails
  const script = 'i=0; while [ $i -lt 12 ]; do sleep 5 & i=$((i+1)); done; echo all-forked';
  const spec = busyboxSpec(['/bin/sh', '-c', script], { resources: { pids: 5 } });
  const h = await driver.start(spec);
  try {
    const exit = await driver.wait(h);
    const text = logLines(h.logPath).join('\n');
    assert.match(text, /can't fork/);
    assert.not.match(text, /all-forked/);
    assert.not.equal(exit.code, 0);
  } finally {
    await driver.destroy(h);
  }
  assert.equal(leftovers(spec.id, root), []);
});

test.run();
