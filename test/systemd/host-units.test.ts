/**
 * HostUnits against a real systemd user manager: the list, start/stop as
 * jobs, and changes arriving live from signals.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HostUnits, type HostUnitView } from '../../src/systemd/host-units.js';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';
import { startUserManager } from '../helpers/systemd-user-manager.js';

test('list, start, stop, and live changes', async () => {
  const um = await startUserManager();
  const units = new HostUnits(() => SystemdManager.connect(um.address));
  try {
    const name = `bt-${randomBytes(4).toString('hex')}`;
    const dir = join(um.runtimeDir, 'systemd', 'user');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.service`), '[Service]\nExecStart=/bin/sleep 30\n');
    const before = await units.list();
    assert.ok(before.length > 0);
    const seen: HostUnitView[] = [];
    units.onChange((u) => { if (u.name === `${name}.service`) seen.push({ ...u }); });
    const sd = await SystemdManager.connect(um.address);
    await sd.reload();
    sd.close();
    const started = await units.act(name, 'start');
    assert.is(started.activeState, 'active');
    assert.ok(started.mainPid! > 0);
    assert.ok(started.since! > Date.now() - 60_000);
    assert.ok((await units.list()).some((u) => u.name === `${name}.service` && u.activeState === 'active'));
    const stopped = await units.act(name, 'stop');
    assert.is(stopped.activeState, 'inactive');
    assert.is(stopped.mainPid, undefined);
    assert.ok(seen.some((u) => u.activeState === 'active') && seen.some((u) => u.activeState === 'inactive'), 'changes arrived as events');
    const bad = (await units.act('no such; rm', 'start').catch((e: unknown) => e)) as { code: string };
    assert.is(bad.code, 'E_SYSTEMD_BAD_NAME');
  } finally {
    units.close();
    await um.stop();
  }
});

test.run();
