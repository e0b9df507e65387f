/**
 * SystemdDriver against a real systemd user manager on its own bus:
 * start, logs in k8s-file format, exit codes and signals, stop with a
 * timeout, kill, inspect, recover, destroy, and a crash → restart decided by
 * berth (systemd's Restart= is off).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { SystemdDriver } from '../../../src/runtime/systemd/driver.js';
import { SystemdManager } from '../../../src/systemd/systemd-manager.js';
import { startUserManager, type UserManager } from '../../helpers/systemd-user-manager.js';

let um: UserManager;
let driver: SystemdDriver;
let root: string;

const spec = (argv: string[], extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
  id: `bt-${randomBytes(4).toString('hex')}`, unit: 'svc', argv, env: { GREETING: 'hello' }, hostname: 'x',
  resources: { memoryBytes: 64 << 20, pids: 32, cpus: 0.5 }, mounts: [], network: { attach: [], ports: [] }, ...extra,
});

test.before(async () => {
  um = await startUserManager();
  root = mkdtempSync('/tmp/bt-sdd-');
  driver = new SystemdDriver({ root, busAddress: um.address, pollMs: 500 });
});
test.after(async () => {
  driver?.close();
  await um?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('available names systemd and its bus', async () => {
  const a = await driver.available();
  assert.ok(a.ok, a.detail);
  assert.match(a.detail, /systemd \d+/);
});

test('a service runs, logs in k8s-file format, and its exit code comes back', async () => {
  const h = await driver.start(spec(['/bin/sh', '-c', 'echo "$GREETING ${GREETING}"; echo oops >&2; sleep 0.2; exit 3']));
  assert.ok(h.pid! > 0);
  assert.is((await driver.inspect(h)).state, 'running');
  const exit = await driver.wait(h);
  assert.is(exit.code, 3);
  assert.is(exit.signal, null);
  const log = readFileSync(h.logPath, 'utf8').trim().split('\n');
  assert.match(log[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello hello$/);
  assert.ok(log.some((l) => / stderr F oops$/.test(l)), log.join('\n'));
  assert.is((await driver.inspect(h)).state, 'exited');
  await driver.destroy(h);
  assert.not.ok(existsSync(join(root, h.id)));
});

test('stop sends the signal to the command; one that ignores it is killed after the timeout', async () => {
  const h = await driver.start(spec(['/bin/sleep', '30']));
  const exit = await driver.stop(h, 'SIGTERM', 5000);
  assert.is(exit.signal, 'SIGTERM');
  await driver.destroy(h);
  const stubborn = await driver.start(spec(['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']));
  for (let i = 0; i < 100 && !readFileSync(stubborn.logPath, 'utf8').includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  const e2 = await driver.stop(stubborn, 'SIGTERM', 300);
  assert.is(e2.signal, 'SIGKILL');
  assert.ok(Date.now() - t0 >= 300);
  assert.is((await driver.inspect(stubborn)).state, 'exited');
  await driver.destroy(stubborn);
});

test('kill, recover from another driver (agent restart), unknown programs', async () => {
  const h = await driver.start(spec(['/bin/sleep', '30']));
  const again = new SystemdDriver({ root, busAddress: um.address });
  try {
    const r = await again.recover(h);
    assert.ok(r);
    const waited = again.wait(r!);
    await driver.kill(h, 'SIGUSR1');
    const exit = await waited;
    assert.is(exit.signal, 'SIGUSR1');
    assert.is(await again.recover(h), null, 'collected after it ended');
  } finally { again.close(); }
  await driver.destroy(h);
  const bad = await driver.start(spec(['/no/such/program']));
  assert.is((await driver.wait(bad)).code, 127);
  assert.match(readFileSync(bad.logPath, 'utf8'), /stderr F berth: cannot run \/no\/such\/program/);
  await driver.destroy(bad);
});

test('berth restarts a crashed service itself: systemd does not (Restart=no)', async () => {
  const sd = await SystemdManager.connect(um.address);
  try {
    const s = spec(['/bin/sh', '-c', 'exit 1']);
    const h = await driver.start(s);
    assert.is((await driver.wait(h)).code, 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.not.ok((await sd.listUnits()).some((u) => u.name === `berth-${s.id}.service`), 'systemd did not keep or restart it');
    await driver.destroy(h);
    const h2 = await driver.start({ ...s, argv: ['/bin/sh', '-c', 'exit 0'] }); // the supervisor's restart = a new start
    assert.is((await driver.wait(h2)).code, 0);
    await driver.destroy(h2);
  } finally { sd.close(); }
});

test('pause says plainly when the freezer is not there', async () => {
  const h = await driver.start(spec(['/bin/sleep', '30']));
  try {
    const err = await driver.pause(h).then(() => null, (e: unknown) => e as { code: string });
    if (err) assert.is(err.code, 'E_PAUSE_UNSUPPORTED');
    else { assert.is((await driver.inspect(h)).state, 'paused'); await driver.unpause(h); }
  } finally { await driver.destroy(h); }
});

test.run();
