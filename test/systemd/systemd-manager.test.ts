/**
 * The adapter against a real systemd user manager on its own bus: calls,
 * errors by D-Bus name, and signals as typed events.
 */
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DbusVariant as V } from '../../src/systemd/dbus-transport.js';
import type { SystemdEvent } from '../../src/systemd/systemd-events.js';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';
import { isSystemdError } from '../../src/systemd/systemd-errors.js';
import { startUserManager, type UserManager } from '../helpers/systemd-user-manager.js';

let um: UserManager;
let sd: SystemdManager;
const events: SystemdEvent[] = [];
const name = () => `bt-${randomBytes(4).toString('hex')}.service`;
const exec = (...argv: string[]) => new V('a(sasb)', [[argv[0], argv, false]]);

test.before(async () => {
  um = await startUserManager();
  sd = await SystemdManager.connect(um.address);
  sd.on((e) => events.push(e));
  await sd.subscribe();
});
test.after(async () => {
  sd?.close();
  await um?.stop();
});

test('a transient unit runs; its job, properties and removal arrive as events', async () => {
  const unit = name();
  const result = await sd.runJob(() => sd.startTransientUnit(unit, [
    ['ExecStart', exec('/bin/sh', '-c', 'sleep 0.5; exit 3')],
    ['CollectMode', new V('s', 'inactive-or-failed')],
  ]));
  assert.is(result, 'done');
  const props = await sd.unitProperties(unit);
  assert.is(props.activeState, 'active');
  assert.ok(props.mainPid! > 0);
  assert.ok(props.since! > Date.now() - 60_000);
  for (let i = 0; i < 250 && !events.some((e) => e.type === 'unit-removed' && e.unit === unit); i++) await new Promise((r) => setTimeout(r, 20));
  const service = events.filter((e): e is Extract<SystemdEvent, { type: 'unit-changed' }> => e.type === 'unit-changed' && e.unit === unit);
  assert.ok(service.some((e) => e.changed.execMainCode === 1 && e.changed.execMainStatus === 3), 'exit status 3 arrived in PropertiesChanged');
  assert.ok(service.some((e) => e.changed.activeState === 'failed'));
  assert.ok(events.some((e) => e.type === 'unit-new' && e.unit === unit));
  assert.ok(events.some((e) => e.type === 'unit-removed' && e.unit === unit), 'collected (CollectMode)');
});

test('errors are matched by D-Bus name', async () => {
  const err = await sd.getUnit('bt-none.service').catch((e: unknown) => e);
  assert.ok(isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT'), String(err));
  assert.is((err as { dbusName: string }).dbusName, 'org.freedesktop.systemd1.NoSuchUnit');
  const bad = await sd.startTransientUnit(name(), [['NoSuchProperty', new V('s', 'x')]]).catch((e: unknown) => e);
  assert.ok(isSystemdError(bad, 'E_SYSTEMD_INVALID_ARGS'), String(bad));
});

test('stop, kill and list', async () => {
  const unit = name();
  await sd.runJob(() => sd.startTransientUnit(unit, [['ExecStart', exec('/bin/sleep', '30')]]));
  assert.ok((await sd.listUnits()).some((u) => u.name === unit && u.activeState === 'active'));
  await sd.killUnit(unit, 19); // SIGSTOP: still active
  assert.is((await sd.unitProperties(unit)).activeState, 'active');
  assert.is(await sd.runJob(() => sd.unitJob('StopUnit', unit)), 'done');
  const after = await sd.unitProperties(unit).catch(() => null);
  assert.ok(after === null || after.activeState === 'inactive', JSON.stringify(after));
  await sd.resetFailedUnit(unit).catch(() => undefined);
});

test.run();
