/**
 * `berth dash` (from source) in tmux against a fake agent with 500 units: at
 * every step — view switches, a filter, help, shorter views (jobs, systemd),
 * resizes — the pane must show exactly the frame the dashboard painted, so a
 * row left over from an earlier frame fails. No root needed; needs tmux.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../helpers/require-tool.js';
import { manyUnits, startFakeAgent, type FakeAgent } from './fake-agent.js';
import { Pane } from './tmux-pane.js';

const repo = new URL('../..', import.meta.url).pathname;

test('500 units at 80x24: every view, filter and resize leaves exactly the painted frame on screen', async () => {
  requireTool('tmux');
  const hex = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `bt-dash-screen-${hex}-`));
  const sock = join(dir, 'api.sock');
  let agent: FakeAgent | undefined;
  let pane: Pane | undefined;
  try {
    agent = await startFakeAgent(sock, manyUnits(500), [
      { name: 'cron.service', description: 'Regular background program processing daemon', loadState: 'loaded', activeState: 'active', subState: 'running', since: Date.now() - 7_200_000, mainPid: 412, memoryBytes: 1_200_000 },
      { name: 'ssh.service', description: 'OpenBSD Secure Shell server', loadState: 'loaded', activeState: 'inactive', subState: 'dead' },
    ]);
    pane = Pane.start(`bt-dash-screen-${hex}`, `${process.execPath} --import tsx src/cli/main.ts --host unix://${sock} dash`, { columns: 80, rows: 24, cwd: repo, frameFile: join(dir, 'frame.txt') });
    await pane.see(/svc-017/, 60_000);
    let screen = await pane.showsFrame();
    assert.match(screen, /500 units · ▲ 500 up/);
    assert.is(screen.split('\n').length, 24, 'the frame uses every row');

    // a state change repaints one row in place
    agent.units[2]!.state = 'failed';
    agent.emit({ type: 'unit.failed', unit: 'svc-002', reason: 'exit 1' } as never);
    await pane.see(/svc-002\s+service ctr\s+✕ failed/);
    await pane.showsFrame();

    // to the bottom and back
    await pane.type('G');
    screen = await pane.see(/▶svc-499/);
    assert.not.match(screen, /svc-000/);
    await pane.showsFrame();

    // filter to ten units: the rows below them must be gone
    await pane.type('/', 's', 'v', 'c', '-', '4', '9', 'Enter');
    screen = await pane.see(/filter "svc-49": 10 of 500 units/);
    assert.is(screen.match(/svc-4\d\d/g)?.length, 10);
    assert.not.match(screen, /svc-48\d/);
    await pane.showsFrame();

    // help over the table, then the jobs view (one line from this agent): no table rows left behind
    await pane.type('?');
    await pane.see(/Keys \(any key closes this help\)/);
    await pane.showsFrame();
    await pane.type('x', 'J');
    screen = await pane.see(/Jobs · not available/);
    assert.not.match(screen, /svc-4\d\d\s+service/);
    await pane.showsFrame();

    // events, then back to the units
    await pane.type('e');
    await pane.see(/Events · \d+ shown/);
    await pane.showsFrame();
    await pane.type('u', 'Escape');
    await pane.see(/\d+-\d+ of 500/);
    await pane.showsFrame();

    // resizes: larger, tiny, back
    pane.resize(120, 40);
    screen = await pane.showsFrame(40);
    assert.match(screen, /▶svc-499/);
    pane.resize(60, 14);
    screen = await pane.showsFrame(14);
    assert.ok(screen.split('\n').every((l) => l.length <= 60), 'no row wider than the pane');
    pane.resize(80, 24);
    screen = await pane.showsFrame(24);
    assert.match(screen, /▶svc-499/);

    // the host's systemd services: a short view over the table, stop with a confirm
    await pane.type('y');
    screen = await pane.see(/systemd · 2 services · ▲ 1 active/);
    assert.not.match(screen, /svc-4\d\d/);
    await pane.showsFrame();
    await pane.type('j', 'S');
    await pane.see(/stop ssh\.service \(host systemd unit\)\? \[y\/N\]/);
    await pane.type('y');
    await pane.see(/✓ stop ssh\.service: done \(now inactive\/dead\)/);
    assert.equal(agent.posts, ['/v1/systemd/units/ssh.service/stop']);
    await pane.showsFrame();

    assert.ok(await pane.quit(), 'q ends berth dash');
  } finally {
    pane?.kill();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
