/**
 * `berth systemd install` and `berth systemd export` against a real systemd
 * user manager: the installed berth.service is enabled over D-Bus, started
 * by systemd as Type=notify and becomes active only when the agent says
 * READY=1 (with its STATUS= line); exported units are started by systemd
 * and restarted by it (Restart=always).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportFromPath } from '../../src/systemd/export-path.js';
import { currentBerthCommand, installAgentService } from '../../src/systemd/install-agent.js';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';
import { startUserManager, type UserManager } from '../helpers/systemd-user-manager.js';

const REPO = new URL('../..', import.meta.url).pathname;
let um: UserManager;
let sd: SystemdManager;
let work: string;
let unitDir: string;

test.before(async () => {
  um = await startUserManager();
  sd = await SystemdManager.connect(um.address);
  await sd.subscribe();
  work = mkdtempSync('/tmp/bt-sdi-');
  unitDir = join(um.runtimeDir, 'systemd', 'user'); // in the user manager's search path
});
test.after(async () => {
  sd?.close();
  await um?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an exported process unit is started and restarted by systemd', async () => {
  const units = join(work, 'units');
  mkdirSync(units);
  const marker = join(work, 'ran');
  writeFileSync(join(units, 'hello.yaml'), [
    'name: hello', 'kind: service', 'isolation: process',
    `run: { command: ["/bin/sh", "-c", "echo \\"$GREETING\\" >> ${marker}; sleep 0.2; exit 1"], env: { GREETING: "50% off $HOME" } }`,
    'restart: { policy: always, delay: 100ms, burst: 50, within: 10s }',
  ].join('\n'));
  const r = await exportFromPath(units, unitDir);
  assert.equal(r.errors, []);
  assert.equal(r.files.map((f) => f.name), ['berth-hello.service']);
  await sd.reload();
  assert.is(await sd.runJob(() => sd.unitJob('StartUnit', 'berth-hello.service')), 'done');
  let p = await sd.unitProperties('berth-hello.service');
  for (let i = 0; i < 50 && (p.nRestarts ?? 0) < 2; i++) { await sleep(100); p = await sd.unitProperties('berth-hello.service'); }
  await sd.runJob(() => sd.unitJob('StopUnit', 'berth-hello.service'));
  assert.ok(p.nRestarts! >= 2, `systemd restarted it (NRestarts=${p.nRestarts})`);
  const lines = readFileSync(marker, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 3);
  assert.is(lines[0], '50% off $HOME', 'no specifier or variable expansion by systemd');
});

test('berth.service is written, enabled over D-Bus, and becomes active on READY=1', async () => {
  const unitPath = join(unitDir, 'berth.service');
  const root = join(work, 'root');
  const socket = join(work, 'berth.sock');
  const r = await installAgentService({ berth: currentBerthCommand().slice(0, -1).concat(join(REPO, 'src/cli/main.ts')), root, socket, unitPath, busAddress: um.address, watchdogMs: 10_000 });
  assert.ok(existsSync(unitPath));
  assert.match(r.text, /^Type=notify$/m);
  assert.match(r.text, /^KillMode=process$/m);
  assert.ok(r.changes.some((c) => c.startsWith('symlink') && c.includes('multi-user.target.wants/berth.service')), r.changes.join('; '));
  try {
    assert.is(await sd.runJob(() => sd.unitJob('StartUnit', 'berth.service'), 60_000), 'done');
    const p = await sd.unitProperties('berth.service');
    assert.is(p.activeState, 'active');
    assert.match(p.statusText ?? '', /^\d+ units: \d+ running, \d+ failing$/);
    assert.ok(existsSync(socket), 'the agent serves its socket');
  } finally {
    await sd.runJob(() => sd.unitJob('StopUnit', 'berth.service'), 60_000).catch(() => undefined);
  }
});

test.run();
