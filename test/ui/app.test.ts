/**
 * Frames of the dashboard for each view and key, against a fake client.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UnitView } from '../../src/ui/dash-client.js';
import { KEYS } from '../../src/ui/keys.js';
import { settle, unitView } from './fake-client.js';
import { mountApp, see, unmountAll, type MountOptions } from './mount-app.js';

const now = Date.now();
const stack = (): UnitView[] => [
  unitView('backup', { kind: 'job', state: 'completed', nextRun: now + 3_600_000 }),
  unitView('db', { ports: ['0.0.0.0:5432->5432/tcp'] }),
  unitView('web', { state: 'healthy', health: 'healthy', ports: ['127.0.0.1:8080->80/tcp'] }),
  unitView('worker', { state: 'crash-looping', timerAt: now + 30_000, restarts: 7, lastExit: { code: 3, signal: null, oomKilled: false, finishedAt: now } }),
];

function mount(units = stack(), opts: MountOptions = {}) {
  return mountApp(units, opts);
}

// a failed assertion must not leave a dashboard running into the next test
test.after.each(unmountAll);

const ESC = '\u001B';
const DOWN = '\u001B[B';

test('units view: header facts, every unit with symbol and word, the key footer', async () => {
  const d = await mount();
  const f = d.frame();
  assert.match(f, /berth · host web-01 · agent 0\.1\.0 · runtime crun 1\.14 · vm tcg · cgroup v2/);
  assert.match(f, /4 units · ▲ 2 up · ● 0 paused · ✕ 1 failing/);
  assert.match(f, /● live/);
  assert.match(f, /▶backup\s+job\s+ctr\s+◷ next \d\d:\d\d/);
  assert.match(f, / web\s+service\s+ctr\s+▲ healthy\s+✓ ok/);
  assert.match(f, / worker\s+service\s+ctr\s+↻ crash-looping (29|30)s\s+–\s+7  exit 3/);
  assert.match(f, /r restart/);
  d.done();
});

test('j/k and arrows move the selection', async () => {
  const d = await mount();
  await d.press('j', DOWN);
  await see(d, /▶web/);
  await d.press('k');
  await see(d, /▶db/);
  await d.press('G');
  await see(d, /▶worker/);
  d.done();
});

test('r asks to confirm; y restarts and the status line says so; n cancels', async () => {
  const d = await mount();
  await d.press('j', 'r');
  await see(d, /restart db\? \[y\/N\]/);
  assert.equal(d.client.posts, []);
  await d.press('n');
  await see(d, /restart db: cancelled/);
  assert.equal(d.client.posts, []);
  await d.press('r', 'y');
  assert.equal(d.client.posts, ['/v1/units/db/restart']);
  await see(d, /✓ restart db: done \(now running\)/);
  d.done();
});

test('keys that arrive together act one by one on the latest state', async () => {
  const d = await mount();
  await d.press('jr');
  await see(d, /restart db\? \[y\/N\]/);
  await d.press('y');
  assert.equal(d.client.posts, ['/v1/units/db/restart']);
});

test('S and x confirm; s, R and p act at once (p unpauses a paused unit)', async () => {
  const units = stack();
  units[1]!.state = 'paused';
  const d = await mount(units);
  await d.press('j', 'S');
  await see(d, /stop db\? it stays down until started \[y\/N\]/);
  await d.press('y', 'x');
  await see(d, /reset db\?/);
  await d.press('y', 's', 'R', 'p', 'j', 'p');
  assert.equal(d.client.posts, ['/v1/units/db/stop', '/v1/units/db/reset', '/v1/units/db/start', '/v1/units/db/reload', '/v1/units/db/unpause', '/v1/units/web/pause']);
  d.done();
});

test('an action error shows in the status line with its code and hint', async () => {
  const d = await mount();
  d.client.post = async () => {
    const { BerthError } = await import('../../src/errors.js');
    throw new BerthError('E_NOT_RUNNING', 'db is exited: it has no running instance', { hint: 'berth start db' });
  };
  await d.press('j', 'R');
  await see(d, /✕ reload db: E_NOT_RUNNING db is exited: it has no running instance — berth start db/);
  d.done();
});

test('/ filters units as you type; esc clears', async () => {
  const d = await mount();
  await d.press('/', 'w', 'e');
  let f = d.frame();
  assert.match(f, /filter units: we/);
  assert.match(f, /▶web/);
  assert.not.match(f, /backup|worker/);
  await d.press('\r');
  f = d.frame();
  assert.match(f, /filter "we": 1 of 4 units/);
  await d.press('/', 'zzz', '\r');
  await see(d, /no unit matches "wezzz" \(esc clears\)/);
  await d.press(ESC);
  await see(d, /backup[\s\S]*worker/);
  await d.press('/', 'work\r', 'j');
  await see(d, /filter "work": 1 of 4 units/);
  assert.not.match(d.frame(), /filter units:/, 'enter inside a chunk ends the prompt');
  d.done();
});

test('enter opens the detail: why, files, recent events, usage sparklines; esc goes back', async () => {
  const d = await mount();
  d.client.routes.set('/v1/units/web/why', () => ({ why: 'web is healthy since 09:51; last restart: template httpd.conf changed.' }));
  d.client.routes.set('/v1/units/web', () => ({ files: [{ dest: '/etc/httpd.conf', sha256: 'abcdef0123456789', onChange: 'reload' }], status: { addresses: { default: '10.88.0.5' } } }));
  await d.press('j', 'j', '\r');
  d.client.emit({ type: 'unit.reloaded', unit: 'web', how: 'signal', detail: 'SIGHUP' });
  await settle(60);
  let f = d.frame();
  assert.match(f, /\/etc\/httpd\.conf\s+sha256 abcdef012345\s+on change: reload/, 'without /files: hashes only');
  d.client.routes.set('/v1/units/web/files', () => [{ dest: '/etc/httpd.conf', sha256: 'abcdef0123456789', onChange: 'reload', content: 'A:*\nI:index.html\npassword •••\n' }]);
  d.client.emit({ type: 'unit.healthy', unit: 'web', output: 'ok' });
  await see(d, /│ I:index\.html/);
  f = d.frame();
  assert.match(f, /│ password •••/);
  assert.match(f, /web · service · container · ▲ healthy · desired up · default 10\.88\.0\.5/);
  assert.match(f, /web is healthy since 09:51; last restart: template httpd\.conf changed\./);
  assert.match(f, /\/etc\/httpd\.conf\s+sha256 abcdef012345\s+on change: reload/);
  assert.match(f, /unit\.reloaded\s+reloaded by signal: SIGHUP/);
  assert.match(f, /cpu\s+\(no samples yet\)/);
  await d.press(ESC);
  await see(d, /NAME\s+KIND/);
  d.done();
});

test('usage of the visible units fills CPU and MEM', async () => {
  let cpu = 0;
  let at = 0;
  const paths: string[] = [];
  const d = await mount(stack(), {
    columns: 160,
    usageEveryMs: 30,
    setup: (c) => c.routes.set('/v1/dash/usage', (path) => {
      paths.push(path);
      cpu += 50_000_000;
      at += 1000;
      return { web: { cpuNs: cpu, memoryBytes: 12 * 1048576, memoryLimitBytes: 64 * 1048576, at } };
    }),
  });
  try {
    await settle(300);
    assert.match(paths.at(-1)!, /units=backup%2Cdb%2Cweb%2Cworker$/);
    await see(d, / web .*▲ healthy.*5\.0%\s+12M\/64M/);
  } finally {
    d.done();
  }
});

test('l follows the selected unit\'s logs; / searches; space pauses; a shows all units prefixed', async () => {
  const d = await mount();
  await d.press('j', 'l');
  const logs = d.client.open('/v1/units/db/logs');
  assert.is(logs.length, 1);
  assert.match(logs[0]!.path, /tail=100&follow=true/);
  logs[0]!.push({ time: now, stream: 'stdout', text: 'ready to accept connections' });
  logs[0]!.push({ time: now, stream: 'stderr', text: 'checkpoint starting' });
  await settle(150);
  await see(d, /Logs · db · following/);
  await see(d, /ready to accept connections[\s\S]*checkpoint starting/);
  await d.press('/', 'ready', '\r');
  await see(d, /search "ready" \(1 lines\)/);
  assert.not.match(d.frame(), /checkpoint/);
  await d.press(' ');
  logs[0]!.push({ time: now, stream: 'stdout', text: 'ready again' });
  await settle(150);
  await see(d, /⏸ paused/);
  assert.not.match(d.frame(), /ready again/);
  await d.press(' ');
  await see(d, /ready again/);
  await d.press('a');
  await see(d, /Logs · all units/);
  assert.is(d.client.open('/v1/units/').length, 4);
  d.client.open('/v1/units/web/logs')[0]!.push({ time: now, stream: 'stdout', text: 'GET / 200' });
  await d.press(ESC);
  await settle(150);
  await see(d, /web\s+GET \/ 200/);
  d.done();
});

test('e shows the live ledger, filtered with /', async () => {
  const d = await mount();
  await d.press('e');
  d.client.emit({ type: 'unit.exited', unit: 'worker', code: 3, signal: null, oomKilled: false, lastLogLines: [] });
  d.client.emit({ type: 'unit.healthy', unit: 'web' });
  await settle(60);
  let f = d.frame();
  assert.match(f, /Events · 2 shown · following/);
  assert.match(f, /\s11 unit\.exited\s+worker\s+exited code 3/);
  assert.match(f, /\s12 unit\.healthy\s+web\s+healthy/);
  await d.press('/', 'worker', '\r');
  f = d.frame();
  assert.match(f, /1 shown matching "worker"/);
  assert.not.match(f, /unit\.healthy/);
  d.done();
});

test('i: images say "not available" on a 404 and list images when the route exists', async () => {
  const d = await mount();
  await d.press('i');
  await see(d, /Images · not available from this agent/);
  d.client.routes.set('/v1/images', () => [{ repository: 'busybox', tag: 'latest', digest: 'sha256:0123456789abcdef', created: new Date(now - 7_200_000).toISOString(), size: 2_200_000 }]);
  await d.press('u', 'i');
  await see(d, /busybox\s+latest\s+0123456789ab\s+2h00m ago\s+2\.1M/);
  d.done();
});

test('J: jobs with their last runs and next run', async () => {
  const d = await mount();
  d.client.routes.set('/v1/dash/jobs', () => [{ unit: 'backup', state: 'completed', nextRun: now + 60_000, runs: [{ run: 1, startedAt: 0, finishedAt: 18_000, code: 0 }, { run: 2, startedAt: 0, finishedAt: 3_000, code: 2 }] }]);
  await d.press('J');
  await see(d, /backup\s+completed\s+\d\d:\d\d:\d\d\s+#2 exit 2 3s · #1 exit 0 18s/);
  d.done();
});

test('? shows every key; any key closes it; q quits', async () => {
  const d = await mount(stack(), { rows: 40 });
  await d.press('?');
  const f = d.frame();
  for (const k of KEYS) assert.ok(f.includes(`${k.keys.padEnd(9)} ${k.what}  [${k.where}]`), `help lists ${k.keys}`);
  await d.press('z');
  await see(d, /NAME\s+KIND/);
  let exited = false;
  void d.app.unmount;
  d.app.stdin.write('q');
  await settle(30);
  exited = !d.client.open('/v1/events').length;
  assert.ok(exited, 'q closes the feed');
  d.done();
});

test('help at 80x24: every key in two columns, nothing wider than the terminal', async () => {
  const d = await mount(stack(), { columns: 80, rows: 24 });
  await d.press('?');
  const lines = d.frame().split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  for (const l of lines) assert.ok(l.length <= 80, `too long: ${l}`);
  for (const k of KEYS) assert.ok(lines.some((l) => l.includes(`${k.keys.padEnd(9)} ${k.what.slice(0, 10)}`)), `help lists ${k.keys}`);
  assert.match(d.frame(), /\? help · q quit$/m, 'the footer always ends in help and quit');
  d.done();
});

test('the agent going away shows reconnecting and the error, then recovers', async () => {
  const d = await mount();
  d.client.down = true;
  d.client.open('/v1/events')[0]!.end();
  await settle(30);
  await see(d, /↻ reconnecting… retry in \ds/);
  await see(d, /the agent closed the event stream/);
  await settle(600);
  await see(d, /no agent answers at unix:\/\/\/fake\.sock/);
  await see(d, /backup/, 'the last known units stay on screen');
  d.client.down = false;
  await settle(1200);
  await see(d, /● live/);
  assert.match(d.client.open('/v1/events')[0]!.path, /since=10&/);
  d.done();
});

test('80x24 with 40 units: names and states of a full window, a scroll position, no line longer than 80', async () => {
  const units = Array.from({ length: 40 }, (_, i) => unitView(`service-number-${String(i).padStart(2, '0')}`, { state: i % 3 ? 'running' : 'failed' }));
  const d = await mount(units, { columns: 80, rows: 24 });
  let f = d.frame();
  const lines = f.split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  for (const l of lines) assert.ok(l.length <= 80, `too long: ${l}`);
  assert.match(f, /service-number-00\s+service\s+ctr\s+✕ failed/);
  assert.match(f, /1-\d+ of 40/);
  await d.press('G');
  f = d.frame();
  assert.match(f, /▶service-number-39\s+service\s+ctr\s+✕ failed/);
  assert.not.match(f, /service-number-00/);
  d.done();
});

test('a resize re-lays the table: columns come back when it widens', async () => {
  const d = await mount(stack(), { columns: 60 });
  assert.not.match(d.frame(), /RESTARTS/);
  Object.defineProperty(d.app.stdout, 'columns', { value: 160, configurable: true });
  d.app.stdout.emit('resize');
  await settle(40);
  await see(d, /RESTARTS\/1h\s+UP\s+CPU\s+MEM\s+PORTS/);
  d.done();
});

test('500 units: renders only the window and an update re-renders fast', async () => {
  const units = Array.from({ length: 500 }, (_, i) => unitView(`u${String(i).padStart(3, '0')}`));
  const d = await mount(units, { rows: 30 });
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) d.client.emit({ type: 'unit.paused', unit: `u${String(i).padStart(3, '0')}` });
  await settle(80);
  const ms = performance.now() - t0;
  await see(d, /500 units · ▲ 0 up · ● 500 paused/);
  assert.ok(d.frame().split('\n').length <= 30);
  assert.ok(ms < 2000, `500 events took ${ms} ms`);
  d.done();
});

test.run();
