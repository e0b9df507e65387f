/**
 * sd_notify against a real systemd user manager: a Type=notify service
 * using SdNotifier becomes active only on READY=1 and shows its STATUS=;
 * with pings it survives its watchdog; when it stops pinging, systemd kills
 * it (Result=watchdog) and restarts it (Restart=on-failure).
 */
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DbusVariant as V } from '../../src/systemd/dbus-transport.js';
import { formatNotify, watchdogIntervalMs } from '../../src/systemd/sd-notify.js';
import { SystemdManager, type TransientProperty } from '../../src/systemd/systemd-manager.js';
import { startUserManager, type UserManager } from '../helpers/systemd-user-manager.js';

const REPO = new URL('../..', import.meta.url).pathname;
let um: UserManager;
let sd: SystemdManager;

test.before(async () => {
  um = await startUserManager();
  sd = await SystemdManager.connect(um.address);
  await sd.subscribe();
});
test.after(async () => {
  sd?.close();
  await um?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function props(mode: 'ping' | 'hang', watchdogMs: number): TransientProperty[] {
  const argv = [process.execPath, '--import', 'tsx', 'test/systemd/fixtures/notify-service.ts', mode];
  return [
    ['ExecStart', new V('a(sasb)', [[argv[0], argv, false]])],
    ['Type', new V('s', 'notify')],
    ['NotifyAccess', new V('s', 'all')],
    ['WorkingDirectory', new V('s', REPO)],
    ['WatchdogUSec', new V('t', BigInt(watchdogMs * 1000))],
    ['Restart', new V('s', 'on-failure')],
    ['RestartUSec', new V('t', 100_000n)],
    ['TimeoutStartUSec', new V('t', 30_000_000n)],
  ];
}

test('pure parts: message format and the watchdog interval', () => {
  assert.is(formatNotify({ READY: 1, STATUS: 'a\nb' }), 'READY=1\nSTATUS=a b');
  assert.is(watchdogIntervalMs({ WATCHDOG_USEC: '10000000' }), 5000);
  assert.is(watchdogIntervalMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '1' }, 2), undefined);
  assert.is(watchdogIntervalMs({}), undefined);
});

test('READY=1 completes the start job; STATUS= is shown; pings keep it alive', async () => {
  const unit = `bt-${randomBytes(4).toString('hex')}.service`;
  try {
    assert.is(await sd.runJob(() => sd.startTransientUnit(unit, props('ping', 1500))), 'done');
    const p = await sd.unitProperties(unit);
    assert.is(p.activeState, 'active');
    assert.match(p.statusText ?? '', /^fixture: /);
    await sleep(2500);
    const later = await sd.unitProperties(unit);
    assert.is(later.activeState, 'active');
    assert.is(later.nRestarts, 0, 'no watchdog restart while pinging');
    assert.is(later.statusText, 'fixture: pinging');
  } finally { await sd.runJob(() => sd.unitJob('StopUnit', unit)).catch(() => undefined); }
});

test('a service that stops pinging is killed by the watchdog and restarted', async () => {
  const unit = `bt-${randomBytes(4).toString('hex')}.service`;
  const seen: string[] = [];
  const off = sd.on((e) => { if (e.type === 'unit-changed' && e.unit === unit && e.changed.result) seen.push(e.changed.result); });
  try {
    assert.is(await sd.runJob(() => sd.startTransientUnit(unit, props('hang', 800))), 'done');
    let p = await sd.unitProperties(unit);
    for (let i = 0; i < 100 && !(p.nRestarts! >= 1 && p.activeState === 'active'); i++) { await sleep(100); p = await sd.unitProperties(unit); }
    assert.ok(p.nRestarts! >= 1, `restarted (NRestarts=${p.nRestarts})`);
    assert.ok(seen.includes('watchdog'), `Result=watchdog seen: ${seen.join(',')}`);
  } finally {
    off();
    await sd.runJob(() => sd.unitJob('StopUnit', unit)).catch(() => undefined);
    await sd.resetFailedUnit(unit).catch(() => undefined);
  }
});

test.run();
