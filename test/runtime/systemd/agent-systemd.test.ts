/**
 * `isolation: systemd` through a real agent (BERTH_SYSTEMD_BUS pointing at
 * a real user manager): the unit runs as a transient service, its output
 * reaches `berth logs`, a crash is restarted by berth's restart policy
 * (systemd's Restart= is off), and `down` stops and removes the units.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemdManager } from '../../../src/systemd/systemd-manager.js';
import { startAgentProcess, uniqueName } from '../../helpers/agent-process.js';
import { startUserManager } from '../../helpers/systemd-user-manager.js';

test('a systemd unit runs, logs, crashes and is restarted by berth', async () => {
  const um = await startUserManager();
  process.env.BERTH_SYSTEMD_BUS = um.address;
  const name = uniqueName();
  const crash = `${name}-crash`;
  const agent = await startAgentProcess({
    units: {
      [`${name}.yaml`]: `name: ${name}\nkind: service\nisolation: systemd\nrun: { command: ["/bin/sh", "-c", "echo up as $$; exec sleep 300"] }\n`,
      [`${crash}.yaml`]: `name: ${crash}\nkind: service\nisolation: systemd\nrun: { command: ["/bin/sh", "-c", "sleep 0.2; exit 4"] }\nrestart: { policy: on-failure, delay: 100ms, burst: 50, within: 60s }\n`,
    },
  });
  const sd = await SystemdManager.connect(um.address);
  try {
    const up = await agent.waitUnit(name, (u) => u.state === 'running', 30_000);
    assert.is(up.isolation, 'systemd');
    const units = await sd.listUnits();
    assert.ok(units.some((u) => u.name.startsWith(`berth-${name}`) && u.activeState === 'active'), units.map((u) => u.name).join(' '));
    const logs = await agent.cli(['logs', name]);
    assert.match(logs.stdout, /up as \d+/);
    const crashed = await agent.waitUnit(crash, (u) => u.restarts >= 2, 30_000);
    assert.is(crashed.lastExit?.code, 4);
  } finally {
    sd.close();
    const left = await agent.cleanup();
    const after = await SystemdManager.connect(um.address);
    const still = (await after.listUnits()).filter((u) => u.name.startsWith('berth-'));
    after.close();
    delete process.env.BERTH_SYSTEMD_BUS;
    await um.stop();
    assert.equal(left, []);
    assert.equal(still.map((u) => u.name), [], 'no berth unit left in systemd');
  }
});

test.run();
