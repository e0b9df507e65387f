import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fit, formatAge, formatBytes, sparkline } from '../../src/ui/format.js';
import { exitCause, layoutColumns, rowCells, stateText } from '../../src/ui/unit-columns.js';
import { filterUnits, scrollOffset, sortUnits } from '../../src/ui/unit-filter.js';
import { addSample } from '../../src/ui/usage-history.js';
import { unitView } from './fake-client.js';

const ids = (w: number, longest = 10) => layoutColumns(w, longest).map((c) => c.id);
const width = (w: number, longest = 10) => layoutColumns(w, longest).reduce((n, c) => n + c.width + 1, 0);

test('a wide terminal shows every column', () => {
  assert.equal(ids(200), ['name', 'kind', 'iso', 'state', 'health', 'restarts', 'up', 'cpu', 'mem', 'ports']);
});

test('narrow terminals drop columns from the right, never name or state', () => {
  assert.equal(ids(120), ['name', 'kind', 'iso', 'state', 'health', 'restarts', 'up', 'cpu', 'mem']);
  assert.equal(ids(78), ['name', 'kind', 'iso', 'state', 'health', 'restarts']);
  assert.equal(ids(40), ['name', 'state']);
  for (const w of [30, 40, 60, 78, 100, 150]) assert.ok(width(w) <= w + 1, `fits ${w}`);
});

test('names keep their full length at 80 columns before columns are dropped', () => {
  const cols = layoutColumns(78, 24);
  assert.is(cols[0]!.width, 24);
  assert.ok(cols.some((c) => c.id === 'state'));
});

test('state text: symbol and word, countdown while waiting, next run for jobs', () => {
  assert.is(stateText(unitView('a', { state: 'crash-looping', timerAt: 61_000 }), 1_000), '↻ crash-looping 1m00s');
  assert.is(stateText(unitView('a', { state: 'backing-off', timerAt: 4_000 }), 1_000), '… backing-off 3s');
  assert.is(stateText(unitView('a', { state: 'paused' }), 0), '● paused');
  assert.match(stateText(unitView('j', { kind: 'job', state: 'completed', nextRun: Date.now() }), 0), /^◷ next \d\d:\d\d$/);
  assert.is(stateText(unitView('a', { state: 'weird' }), 0), '? weird');
});

test('row cells: restarts with the cause, memory with its limit, ports without the any-address', () => {
  const u = unitView('web', { restarts: 2, lastExit: { code: null, signal: null, oomKilled: true, finishedAt: 0 }, ports: ['0.0.0.0:8080->80/tcp'], startedAt: 0 });
  const cells = rowCells(u, layoutColumns(200, 3), { cpuPct: 1.25, memoryBytes: 12 * 1024 * 1024, memoryLimitBytes: 64 * 1024 * 1024 }, 7_500_000).map((c) => c.trim());
  assert.equal(cells, ['web', 'service', 'ctr', '▲ running', '–', '2  oom', '2h05m', '1.3%', '12M/64M', '8080->80/tcp']);
  assert.is(exitCause(unitView('a', { lastExit: { code: null, signal: 'SIGKILL', oomKilled: false, finishedAt: 0 } })), 'SIGKILL');
});

test('formatters', () => {
  assert.is(fit('abcdef', 4), 'abc…');
  assert.is(fit('ab', 4), 'ab  ');
  assert.is(formatAge(59_999), '59s');
  assert.is(formatAge(90 * 3600_000), '3d18h');
  assert.is(formatBytes(1536), '1.5K');
  assert.is(sparkline([0, 5, 10], 3), '▁▄█');
  assert.is(sparkline([1, 2, 3, 4], 2), '▆█');
});

test('filter by words over name, kind and state; sort by state puts trouble first', () => {
  const units = [unitView('api'), unitView('db', { state: 'failed' }), unitView('cron', { kind: 'job', state: 'completed' })];
  assert.equal(filterUnits(units, 'job').map((u) => u.name), ['cron']);
  assert.equal(filterUnits(units, 'API FAIL').map((u) => u.name), []);
  assert.equal(filterUnits(units, 'd fail').map((u) => u.name), ['db']);
  assert.equal(sortUnits(units, 'state').map((u) => u.name), ['db', 'cron', 'api']);
});

test('scroll offset keeps the selection in the window', () => {
  assert.is(scrollOffset(0, 5, 10, 100), 0);
  assert.is(scrollOffset(0, 15, 10, 100), 6);
  assert.is(scrollOffset(20, 15, 10, 100), 15);
  assert.is(scrollOffset(95, 99, 10, 100), 90);
});

test('cpu % from cumulative cpu time between samples', () => {
  const a = addSample(undefined, { cpuNs: 0, memoryBytes: 10, at: 1000 });
  assert.is(a.current.cpuPct, undefined);
  const b = addSample(a, { cpuNs: 500_000_000, memoryBytes: 20, at: 3000 });
  assert.is(b.current.cpuPct, 25);
  assert.equal(b.mem, [10, 20]);
  assert.equal(b.cpu, [25]);
});

test.run();
