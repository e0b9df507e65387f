/**
 * The systemd view (key y): the host's services with state, sub-state, since,
 * main PID and memory; followed live (or polled, from an older agent) only while open; filter; start without asking,
 * stop and restart after a confirm; results and errors in the status line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../src/errors.js';
import type { HostUnitView } from '../../src/ui/dash-client.js';
import { settle, unitView, type FakeClient } from './fake-client.js';
import { mountApp, see, unmountAll } from './mount-app.js';

test.after.each(unmountAll);

const now = Date.now();
const services = (): HostUnitView[] => [
  { name: 'cron.service', description: 'Regular background program processing daemon', loadState: 'loaded', activeState: 'active', subState: 'running', since: now - 7_200_000, mainPid: 412, memoryBytes: 1_200_000 },
  { name: 'nginx.service', description: 'A high performance web server', loadState: 'loaded', activeState: 'failed', subState: 'failed', since: now - 65_000 },
  { name: 'ssh.service', description: 'OpenBSD Secure Shell server', loadState: 'loaded', activeState: 'inactive', subState: 'dead' },
];

/** A fake agent whose systemd routes act on `list`. */
function withSystemd(list: HostUnitView[]) {
  return (c: FakeClient) => {
    c.routes.set('/v1/systemd/units', () => structuredClone(list));
    c.postRoutes.set('/v1/systemd/units/', (path) => {
      const [, , , , name, verb] = path.split('/');
      const u = list.find((x) => x.name === decodeURIComponent(name!));
      if (!u) throw new BerthError('E_SYSTEMD_NO_SUCH_UNIT', `no unit ${name}`);
      Object.assign(u, verb === 'stop' ? { activeState: 'inactive', subState: 'dead', mainPid: undefined } : { activeState: 'active', subState: 'running', since: Date.now(), mainPid: 999 });
      return structuredClone(u);
    });
  };
}

const systemdGets = (c: FakeClient) => c.gets.filter((p) => p === '/v1/systemd/units').length;

test('y opens the host services: state and sub-state, since, PID, memory, description; in the footer and help', async () => {
  const d = await mountApp([unitView('web')], { setup: withSystemd(services()) });
  assert.is(systemdGets(d.client), 0, 'not asked before the view opens');
  await d.press('y');
  await see(d, /systemd · 3 services · ▲ 1 active · ✕ 1 failed/);
  const f = d.frame();
  assert.match(f, /UNIT\s+STATE\s+SINCE\s+PID\s+MEM\s+DESCRIPTION/);
  assert.match(f, /▶cron\.service\s+▲ active running\s+2h00m\s+412\s+1\.1M\s+Regular background/);
  assert.match(f, / nginx\.service\s+✕ failed failed\s+1m0[45]s\s+–\s+–\s+A high performance/);
  assert.match(f, / ssh\.service\s+○ inactive dead\s+–/);
  assert.match(f, /s start · S stop · r restart · \/ filter/);
  await d.press('?');
  await see(d, /y\s+systemd: the host's services/);
});

test('an agent without the live list (it answers the follow with a plain list) is polled, only while the view is open', async () => {
  const d = await mountApp([unitView('web')], { setup: withSystemd(services()), hostEveryMs: 30 });
  await d.press('y');
  await see(d, /cron\.service/);
  await settle(120);
  const open = systemdGets(d.client);
  assert.ok(open >= 3, `polled ${open} times while open`);
  await d.press('u');
  const closed = systemdGets(d.client);
  await settle(120);
  assert.is(systemdGets(d.client), closed, 'no polls after leaving');
});

test('an agent with the live list: followed (no polling), changes and removals show at once, closed when the view is left', async () => {
  const list = services();
  let opened = 0;
  const d = await mountApp([unitView('web')], {
    setup: (c) => c.streamRoutes.set('/v1/systemd/units?follow=true', (s) => {
      opened++;
      s.push({ type: 'snapshot', units: structuredClone(list) });
    }),
  });
  await d.press('y');
  await see(d, /systemd · 3 services · ▲ 1 active · ✕ 1 failed/);
  const [stream] = d.client.open('/v1/systemd/units');
  assert.ok(stream, 'the view follows the list');
  stream.push({ type: 'changed', unit: { ...list[1]!, activeState: 'active', subState: 'running', mainPid: 4242 } });
  await see(d, /nginx\.service\s+▲ active running\s+\S+\s+4242/);
  stream.push({ type: 'removed', name: 'ssh.service' });
  await see(d, /systemd · 2 services · ▲ 2 active · ✕ 0 failed/);
  assert.not.match(d.frame(), /ssh\.service/);
  assert.is(systemdGets(d.client), 0, 'no polling while the stream is live');
  await d.press('u');
  await settle(30);
  assert.is(d.client.open('/v1/systemd/units').length, 0, 'the stream is closed when the view is left');
  assert.is(opened, 1);
});

test('/ filters by name, description or state; esc clears, esc again goes back', async () => {
  const d = await mountApp([unitView('web')], { setup: withSystemd(services()) });
  await d.press('y');
  await see(d, /cron\.service/);
  await d.press('/', 'fail', '\r');
  await see(d, /filter "fail": 1 of 3 \(esc clears\)/);
  assert.match(d.frame(), /▶nginx\.service/);
  assert.not.match(d.frame(), /cron\.service|ssh\.service/);
  await d.press('\u001B');
  await see(d, /cron\.service[\s\S]*ssh\.service/);
  await d.press('\u001B');
  await see(d, /NAME\s+KIND/);
});

test('s starts at once; S and r ask first, n cancels, y acts; the result and the new state show', async () => {
  const list = services();
  const d = await mountApp([unitView('web')], { setup: withSystemd(list) });
  await d.press('y');
  await see(d, /cron\.service/);
  await d.press('G', 's');
  await see(d, /✓ start ssh\.service: done \(now active\/running\)/);
  assert.equal(d.client.posts, ['/v1/systemd/units/ssh.service/start']);
  await see(d, /▶ssh\.service\s+▲ active running\s+0s\s+999/);

  await d.press('S');
  await see(d, /stop ssh\.service \(host systemd unit\)\? \[y\/N\]/);
  await d.press('n');
  await see(d, /stop ssh\.service: cancelled/);
  assert.is(d.client.posts.length, 1, 'nothing sent on n');

  await d.press('k', 'r');
  await see(d, /restart nginx\.service \(host systemd unit\)\? \[y\/N\]/);
  await d.press('y');
  await see(d, /✓ restart nginx\.service: done \(now active\/running\)/);
  assert.equal(d.client.posts.at(-1), '/v1/systemd/units/nginx.service/restart');
  await see(d, /▲ 3 active · ✕ 0 failed/);
});

test('an action systemd refuses shows its code, message and hint', async () => {
  const d = await mountApp([unitView('web')], {
    setup: (c) => {
      withSystemd(services())(c);
      c.postRoutes.set('/v1/systemd/units/', () => {
        throw new BerthError('E_SYSTEMD_ACCESS_DENIED', 'StopUnit cron.service: access denied', { hint: 'run as root (or allow it with polkit)' });
      });
    },
  });
  await d.press('y');
  await see(d, /cron\.service/);
  await d.press('S', 'y');
  await see(d, /✕ stop cron\.service: E_SYSTEMD_ACCESS_DENIED StopUnit cron\.service: access denied — run as root/);
});

test('no systemd on the agent\'s host, or an agent without the route, says so', async () => {
  const absent = await mountApp([unitView('web')], {
    setup: (c) => c.routes.set('/v1/systemd/units', () => {
      throw new BerthError('E_SYSTEMD_ABSENT', 'ListUnits: no systemd on this bus', { hint: 'is systemd PID 1?' });
    }),
  });
  await absent.press('y');
  await see(absent, /systemd · ✕ E_SYSTEMD_ABSENT: ListUnits: no systemd on this bus — is systemd PID 1\?/);
  absent.done();
  const old = await mountApp([unitView('web')]);
  await old.press('y');
  await see(old, /systemd · not available from this agent/);
});

test('80x24 with 40 services: a window around the selection, nothing wider than 80', async () => {
  const many: HostUnitView[] = Array.from({ length: 40 }, (_, i) => ({ name: `unit-${String(i).padStart(2, '0')}.service`, description: 'a service with a long description that must be cut', loadState: 'loaded', activeState: 'active', subState: 'running', since: now - 1000, mainPid: 100 + i, memoryBytes: 5e6 }));
  const d = await mountApp([unitView('web')], { columns: 80, rows: 24, setup: withSystemd(many) });
  await d.press('y');
  await see(d, /1-17 of 40/);
  await d.press('G');
  await see(d, /24-40 of 40/);
  const lines = d.frame().split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  for (const l of lines) assert.ok(l.length <= 80, `too long: ${l}`);
  assert.match(d.frame(), /▶unit-39\.service\s+▲ active running/);
});

test.run();
