/**
 * End to end with a real systemd: a user manager on its own bus
 * (BERTH_SYSTEMD_BUS), a real agent, `berth dash` in tmux. Key y lists the
 * manager's services with state, since and main PID, live (a restart made
 * outside berth shows by itself); a restart (confirmed)
 * gives the service a new PID, a stop (confirmed) leaves it inactive, and
 * the pane always shows exactly the painted frame. Needs root, tmux, systemd.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';
import { startAgentProcess, uniqueName, type AgentProcess } from '../helpers/agent-process.js';
import { requireTool } from '../helpers/require-tool.js';
import { startUserManager, type UserManager } from '../helpers/systemd-user-manager.js';
import { Pane } from './tmux-pane.js';

const repo = new URL('../..', import.meta.url).pathname;

test('the systemd view against a real user manager: list, restart, stop', async () => {
  requireTool('tmux');
  const name = uniqueName();
  const service = `${name}.service`;
  let um: UserManager | undefined;
  let agent: AgentProcess | undefined;
  let sd: SystemdManager | undefined;
  let pane: Pane | undefined;
  try {
    um = await startUserManager();
    const dir = join(um.runtimeDir, '.config/systemd/user');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, service), `[Unit]\nDescription=berth dash test ${name}\n[Service]\nExecStart=/bin/sleep 300\n`);
    sd = await SystemdManager.connect(um.address);
    await sd.subscribe();
    await sd.reload();
    assert.is(await sd.runJob(() => sd!.unitJob('StartUnit', service)), 'done');
    const firstPid = (await sd.unitProperties(service)).mainPid;
    assert.ok(firstPid, 'the service runs');

    process.env.BERTH_SYSTEMD_BUS = um.address;
    agent = await startAgentProcess({ applyOnStart: false });
    pane = Pane.start(`bt-dash-sd-${name}`, `${process.execPath} --import tsx src/cli/main.ts --host ${agent.host} dash`, { columns: 100, rows: 30, cwd: repo, frameFile: join(agent.root, 'frame.txt') });
    await pane.see(/● live/, 60_000);
    await pane.type('y');
    await pane.see(new RegExp(`${name}\\.service\\s+▲ active running\\s+\\d+s\\s+${firstPid}\\b`), 30_000);
    await pane.showsFrame();

    await pane.type('/', ...name, 'Enter');
    await pane.see(/filter "bt-[0-9a-f]+": 1 of \d+/);
    await pane.type('r');
    await pane.see(new RegExp(`restart ${service} \\(host systemd unit\\)\\? \\[y/N\\]`));
    await pane.type('y');
    await pane.see(new RegExp(`✓ restart ${service}: done \\(now active/running\\)`), 30_000);
    const secondPid = (await sd.unitProperties(service)).mainPid;
    assert.ok(secondPid && secondPid !== firstPid, 'restarted: a new main PID');
    await pane.see(new RegExp(`${name}\\.service\\s+▲ active running\\s+\\d+s\\s+${secondPid}\\b`), 30_000);
    await pane.showsFrame();

    // a change made behind berth's back shows without a key: the view follows systemd's signals
    assert.is(await sd.runJob(() => sd!.unitJob('RestartUnit', service)), 'done');
    const thirdPid = (await sd.unitProperties(service)).mainPid;
    await pane.see(new RegExp(`${name}\\.service\\s+▲ active running\\s+\\d+s\\s+${thirdPid}\\b`), 10_000);

    await pane.type('S', 'y');
    await pane.see(new RegExp(`✓ stop ${service}: done \\(now inactive/dead\\)`), 30_000);
    assert.is((await sd.unitProperties(service).catch(() => ({ activeState: 'inactive' }))).activeState, 'inactive');
    await pane.showsFrame();

    assert.ok(await pane.quit(), 'q ends berth dash');
  } finally {
    pane?.kill();
    sd?.close();
    const left = agent ? await agent.cleanup() : [];
    delete process.env.BERTH_SYSTEMD_BUS;
    await um?.stop();
    assert.equal(left, []);
  }
});

test.run();
