/**
 * The host services table as text (pure): columns that fit a width, state
 * looks, the filter and the keys' actions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostUnitView } from '../../src/ui/dash-client.js';
import { filterHostUnits, hostActionForKey, hostHeader, hostRowCells, hostStateLook, layoutHostColumns } from '../../src/ui/host-unit-rows.js';

const u = (name: string, over: Partial<HostUnitView> = {}): HostUnitView => ({ name, description: `${name} daemon`, loadState: 'loaded', activeState: 'active', subState: 'running', ...over });

test('columns: everything on a wide terminal; description, then memory, PID and since go as it narrows', () => {
  const wide = layoutHostColumns(158, 14);
  assert.ok(wide.description > 40 && wide.mem && wide.pid && wide.since);
  assert.is(hostHeader(wide).length, 158);
  const at78 = layoutHostColumns(78, 14);
  assert.ok(at78.description >= 12 && at78.mem > 0);
  const narrow = layoutHostColumns(50, 14);
  assert.is(narrow.description, 0);
  assert.is(narrow.mem, 0);
  const tiny = layoutHostColumns(30, 40);
  assert.equal([tiny.since, tiny.pid, tiny.mem, tiny.description], [0, 0, 0, 0]);
  assert.ok(tiny.name + 1 + tiny.state <= 30, 'name and state still fit');
  for (const w of [30, 50, 78, 120, 158]) {
    const cols = layoutHostColumns(w, 20);
    const cells = hostRowCells(u('some-long-service-name.service', { since: 0, mainPid: 1, memoryBytes: 1 }), cols, 1000);
    assert.ok(`${cells.name} ${cells.state}${cells.rest ? ` ${cells.rest}` : ''}`.length <= w, `a row fits ${w}`);
  }
});

test('states read without colour', () => {
  assert.equal(hostStateLook('active'), { symbol: '▲', color: 'green' });
  assert.is(hostStateLook('failed').symbol, '✕');
  assert.is(hostStateLook('activating').symbol, '△');
  assert.is(hostStateLook('deactivating').symbol, '▽');
  assert.is(hostStateLook('inactive').symbol, '○');
  const cells = hostRowCells(u('a.service', { activeState: 'failed', subState: 'failed' }), layoutHostColumns(80, 9), 0);
  assert.match(cells.state, /^✕ failed failed/);
  assert.match(cells.rest, /^–\s+–\s+–\s+a\.service daemon/);
});

test('filter: every word must match name, description, state or sub-state', () => {
  const list = [u('cron.service'), u('nginx.service', { activeState: 'failed', subState: 'failed' }), u('ssh.service', { activeState: 'inactive', subState: 'dead', description: 'OpenBSD Secure Shell' })];
  assert.equal(filterHostUnits(list, '').map((x) => x.name), ['cron.service', 'nginx.service', 'ssh.service']);
  assert.equal(filterHostUnits(list, 'FAILED').map((x) => x.name), ['nginx.service']);
  assert.equal(filterHostUnits(list, 'secure dead').map((x) => x.name), ['ssh.service']);
  assert.equal(filterHostUnits(list, 'secure running'), []);
});

test('keys: s starts, S and r ask first, others do nothing', () => {
  assert.equal(hostActionForKey('s', 'a.service'), { action: 'start' });
  assert.match(hostActionForKey('S', 'a.service')!.confirm!, /stop a\.service/);
  assert.is(hostActionForKey('r', 'a.service')!.action, 'restart');
  assert.ok(hostActionForKey('r', 'a.service')!.confirm);
  assert.is(hostActionForKey('p', 'a.service'), undefined);
});

test.run();
