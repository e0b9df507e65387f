/**
 * A container's life through the driver with real crun/runc + conmon:
 * exit codes, stop (SIGTERM honoured, and SIGKILL after the timeout when
 * ignored), pause/unpause freezing a counter, exec, top, inspect, and
 * surviving an agent restart (a new driver re-attaches from the Handle).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Handle, InstanceSpec } from '../../../src/runtime/driver.js';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools, until } from './setup.js';

requireContainerTools();
const test = suite('container lifecycle');
const { driver, root, cleanup } = makeDriver();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `argv`, runs `body`, always destroys and checks that nothing is left. */
async function withContainer(argv: string[], body: (h: Handle, spec: InstanceSpec) => Promise<void>, over: Partial<InstanceSpec> = {}) {
  const spec = busyboxSpec(argv, over);
  const handle = await driver.start(spec);
  try {
    await body(handle, spec);
  } finally {
    await driver.destroy(handle);
    assert.equal(leftovers(spec.id, root), [], 'nothing left on the host');
  }
}

const counts = (h: Handle) => logLines(h.logPath).filter((l) => l.startsWith('count ')).length;

test.after(() => cleanup());

test('exit code and stdout/stderr reach the k8s-file log', async () => {
  await withContainer(['/fixtures/exit-with', '42'], async (h) => {
    const exit = await driver.wait(h);
    assert.equal(exit.code, 42);
    assert.equal(exit.signal, null);
    assert.equal(exit.oomKilled, false);
    const raw = (await import('node:fs')).readFileSync(h.logPath, 'utf8');
    assert.match(raw, /^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d stdout F exiting with 42$/m);
    const status = await driver.inspect(h);
    assert.equal(status.state, 'exited');
    assert.equal(status.exit?.code, 42);
  });
});

test('crash-after MS exits 1, with its message on stderr', async () => {
  await withContainer(['/fixtures/crash-after', '300'], async (h) => {
    const exit = await driver.wait(h);
    assert.equal(exit.code, 1);
    assert.match((await import('node:fs')).readFileSync(h.logPath, 'utf8'), / stderr F crash$/m);
  });
});

test('stop: SIGTERM is honoured before the timeout', async () => {
  await withContainer(['/fixtures/forever'], async (h) => {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    const t0 = Date.now();
    const exit = await driver.stop(h, 'SIGTERM', 5000);
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - t0 < 4000);
    assert.ok(logLines(h.logPath).includes('got TERM'));
  });
});

test('stop: a process that ignores SIGTERM is SIGKILLed after the timeout', async () => {
  await withContainer(['/fixtures/ignore-sigterm'], async (h) => {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    const t0 = Date.now();
    const exit = await driver.stop(h, 'SIGTERM', 400);
    const took = Date.now() - t0;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.code, null);
    assert.ok(took >= 400, `stopped after ${took} ms`);
  });
});

test('pause freezes (the counter stops), unpause resumes', async () => {
  await withContainer(['/fixtures/counter', '20000'], async (h) => {
    assert.ok(await until(() => counts(h) >= 3));
    await driver.pause(h);
    assert.equal((await driver.inspect(h)).state, 'paused');
    const frozen = counts(h);
    try {
      await driver.exec(h, ['true']);
      assert.unreachable('exec into a paused container');
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'E_CONTAINER_PAUSED');
    }
    await sleep(300);
    assert.equal(counts(h), frozen, 'no output while paused');
    await driver.unpause(h);
    assert.equal((await driver.inspect(h)).state, 'running');
    assert.ok(await until(() => counts(h) > frozen + 2), 'counting again');
  });
});

test('exec runs in the container with output and exit code; top lists its processes', async () => {
  await withContainer(['/fixtures/forever'], async (h, spec) => {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    const r = await driver.exec(h, ['/bin/sh', '-c', 'hostname; echo oops >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout.trim(), spec.hostname);
    assert.equal(r.stderr.trim(), 'oops');
    const who = await driver.exec(h, ['id', '-u'], { user: 'nobody' });
    assert.equal(who.stdout.trim(), '65534');
    const procs = await driver.top(h);
    assert.ok(procs.some((p) => p.command.includes('/fixtures/forever') && p.user === 'root'), JSON.stringify(procs));
    assert.ok(procs.some((p) => p.command.startsWith('sleep')));
    const status = await driver.inspect(h);
    assert.equal(status.state, 'running');
    assert.equal(status.pid, h.pid);
    assert.ok((status.usage?.pids ?? 0) >= 2);
    assert.ok((status.usage?.memoryBytes ?? 0) > 0);
  });
});

test('agent restart: a new driver recovers the container, its log keeps growing, wait() resolves on exit', async () => {
  await withContainer(['/fixtures/counter', '20000'], async (h) => {
    assert.ok(await until(() => counts(h) >= 2));
    // the handle as the supervisor would have persisted it
    const saved = JSON.parse(JSON.stringify(h)) as Handle;
    const reborn = new ContainerDriver({ root, pollMs: 200 });
    const again = await reborn.recover(saved);
    assert.ok(again, 'recovered');
    const before = counts(h);
    assert.ok(await until(() => counts(h) > before + 3), 'log still written');
    assert.equal((await reborn.inspect(again!)).state, 'running');
    const waiting = reborn.wait(again!);
    await reborn.kill(again!, 'SIGTERM');
    const exit = await waiting;
    assert.equal(exit.code, 0);
  });
});

test('stop works on a paused container (thawed after the signal)', async () => {
  await withContainer(['/fixtures/forever'], async (h) => {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    await driver.pause(h);
    const exit = await driver.stop(h, 'SIGTERM', 3000);
    assert.equal(exit.code, 0);
  });
});

test('the log is capped at logSizeMax (conmon truncates it)', async () => {
  const small = makeDriver({ logSizeMax: 4096 });
  const spec = busyboxSpec(['/fixtures/counter', '1000']);
  const h = await small.driver.start(spec);
  try {
    assert.ok(await until(() => counts(h) > 0 && logLines(h.logPath)[0] !== 'count 0', 10_000), 'rotated');
    const { statSync } = await import('node:fs');
    assert.ok(statSync(h.logPath).size <= 4096, `log is ${statSync(h.logPath).size} bytes`);
  } finally {
    await small.driver.destroy(h);
    await small.cleanup();
  }
});

test('recover returns null for a container that is gone', async () => {
  const spec = busyboxSpec(['/fixtures/exit-with', '0']);
  const h = await driver.start(spec);
  await driver.wait(h);
  await driver.destroy(h);
  assert.equal(await driver.recover(h), null);
  await driver.destroy(h); // idempotent
});

test.run();
