/**
 * End to end: a real agent with three busybox containers, `berth dash` in
 * tmux, keys sent as a user would (restart a unit, filter, open logs and
 * events), the agent killed and started again (the dashboard reconnects),
 * all asserted on capture-pane output. Needs root, crun/conmon and tmux.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import type { UnitView } from '../../src/ui/dash-client.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';
import { removeLeftovers } from '../helpers/agent-process.js';
import { Pane } from './tmux-pane.js';

const repo = new URL('../..', import.meta.url).pathname;
const berth = join(repo, 'bin/berth.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Source files of the dashboard whose compiled file in dist/ is missing or older. */
function staleFiles(): string[] {
  const list = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? list(join(dir, n)) : [join(dir, n)]));
  const sources = [...list(join(repo, 'src/ui')), join(repo, 'src/cli/commands/dash.ts'), join(repo, 'src/api/routes/dash-routes.ts')];
  return sources.filter((src) => {
    const out = src.replace(`${repo}src/`, `${repo}dist/`).replace(/\.tsx?$/, '.js');
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
}

/** Builds dist/ when a dashboard source is newer than its compiled file. */
function ensureBuilt(): void {
  if (!staleFiles().length) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'pipe' });
  } catch {
    // tsc emits despite type errors elsewhere in the tree; what matters is that the dashboard is there
  }
  const stale = staleFiles();
  if (stale.length) throw new Error(`npm run build left these stale in dist/: ${stale.join(', ')}\nhint: run \`npm run build\` and read its errors`);
}

function unitYaml(name: string): string {
  return [
    `name: ${name}`,
    'kind: service',
    'image: { from: busybox }',
    'run:',
    `  command: [sh, -c, 'trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo "${name} tick $i"; sleep 1 & wait $!; done']`,
    'stop: { timeout: 2s }',
    '',
  ].join('\n');
}

function startAgent(dir: string): ChildProcess {
  const log = openSync(join(dir, 'agent.log'), 'a');
  const child = spawn(process.execPath, [berth, '--root', join(dir, 'root'), 'agent', '--units', join(dir, 'units'), '--socket', join(dir, 'b.sock'), '--quiet'], {
    stdio: ['ignore', log, log],
    detached: true,
  });
  return child;
}

async function stopAgent(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitRunning(client: ApiClient, names: string[], timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const units = await client.get<UnitView[]>('/v1/units').catch(() => [] as UnitView[]);
    if (names.every((n) => units.find((u) => u.name === n)?.state === 'running')) return;
    await sleep(500);
  }
  throw new Error(`units ${names.join(', ')} did not all reach running within ${timeoutMs} ms`);
}

test('berth dash in tmux: restart a unit, filter, logs, events, reconnect after the agent restarts', async () => {
  requireRoot();
  for (const tool of ['tmux', 'conmon']) requireTool(tool);
  ensureBuilt();
  const hex = randomBytes(3).toString('hex');
  const names = ['a', 'b', 'c'].map((x) => `e${hex}-${x}`);
  const dir = mkdtempSync(join(tmpdir(), `bt-dash-${hex}-`));
  const session = `bt-dash-${hex}`;
  const sock = join(dir, 'b.sock');
  const client = new ApiClient({ host: `unix://${sock}` });
  let agent: ChildProcess | undefined;
  try {
    mkdirSync(join(dir, 'units'));
    for (const n of names) writeFileSync(join(dir, 'units', `${n}.yaml`), unitYaml(n));
    agent = startAgent(dir);
    await waitRunning(client, names);

    const pane = Pane.start(session, `${process.execPath} ${berth} --host unix://${sock} dash`, { columns: 120, rows: 32, cwd: repo, frameFile: join(dir, 'frame.txt') });
    const first = await pane.see(new RegExp(`${names[2]}\\s+service\\s+ctr\\s+▲ running`), 90_000);
    for (const n of names) assert.match(first, new RegExp(`${n}\\s+service\\s+ctr\\s+▲ running\\s+–\\s+0`));
    assert.match(first, /3 units · ▲ 3 up/);
    assert.match(first, /● live/);
    await pane.showsFrame();

    // restart the second unit, confirming
    await pane.type('j', 'r');
    await pane.see(new RegExp(`restart ${names[1]}\\? \\[y/N\\]`));
    await pane.type('y');
    await pane.see(new RegExp(`✓ restart ${names[1]}: done`), 60_000);
    const after = await pane.see(new RegExp(`${names[1]}\\s+service\\s+ctr\\s+▲ running\\s+–\\s+1`), 60_000);
    assert.match(after, new RegExp(`${names[0]}\\s+service\\s+ctr\\s+▲ running\\s+–\\s+0`));

    // filter down to the third unit
    await pane.type('/', ...[...`-${names[2].slice(-1)}`], 'Enter');
    const filtered = await pane.see(/filter "-c": 1 of 3 units/);
    assert.match(filtered, new RegExp(`▶${names[2]}`));
    const rows = filtered.split('\n').filter((l) => /service\s+ctr/.test(l));
    assert.equal(rows.length, 1, 'only the matching unit stays in the table');
    await pane.showsFrame();

    // its logs, live
    await pane.type('l');
    const logs = await pane.see(new RegExp(`Logs · ${names[2]} · following[\\s\\S]*${names[2]} tick \\d+`));
    assert.not.match(logs, new RegExp(`${names[0]} tick`));
    // a shorter view than the table: no table row may be left on screen
    assert.not.match(logs, /service\s+ctr/);
    await pane.showsFrame();

    // the ledger shows the restart
    await pane.type('e');
    await pane.see(new RegExp(`unit\\.stopping\\s+${names[1]}\\s+stopping \\(manual`));
    await pane.see(new RegExp(`unit\\.started\\s+${names[1]}`));

    // the agent goes away and comes back: reconnecting…, then live again with the units
    await pane.type('u', 'Escape');
    await stopAgent(agent);
    await pane.see(/↻ reconnecting…/, 30_000);
    agent = startAgent(dir);
    await waitRunning(client, names);
    await pane.see(/● live/, 60_000);
    await pane.see(new RegExp(`${names[0]}\\s+service\\s+ctr\\s+▲ running`));

    await pane.showsFrame();

    assert.ok(await pane.quit(), 'q ends berth dash (and with it the tmux session)');
  } finally {
    try {
      execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    } catch {
      // already gone (q)
    }
    if (agent && agent.exitCode === null) {
      try {
        execFileSync(process.execPath, [berth, '--host', `unix://${sock}`, 'down'], { stdio: 'ignore', timeout: 60_000 });
      } catch {
        // the agent may be gone already
      }
    }
    await stopAgent(agent);
    // the default network (bridge, isolation rules) and anything else the agent made go with its root
    await removeLeftovers(join(dir, 'root'));
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
