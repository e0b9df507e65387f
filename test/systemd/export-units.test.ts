/**
 * Pure parts of systemd export and install: quoting, cron → OnCalendar,
 * unit paths, and the files written for units and for berth.service.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UNIT_DEFAULTS, type UnitSpec } from '../../src/config/unit-spec.js';
import { renderAgentService } from '../../src/systemd/agent-service.js';
import { cronToCalendar } from '../../src/systemd/cron-calendar.js';
import { exportUnits } from '../../src/systemd/export-units.js';
import { execLine, quoteExecArg, timeSpan } from '../../src/systemd/unit-file-text.js';
import { unitNameOfPath, unitPath } from '../../src/systemd/unit-path.js';
import { exitFromProperties, parseUnitProperties } from '../../src/systemd/unit-properties.js';
import { observeUnit } from '../../src/runtime/systemd/state.js';

function unit(over: Partial<UnitSpec> = {}): UnitSpec {
  return {
    name: 'web', kind: 'service', isolation: 'process', file: '/u/web.yaml', dir: '/u', templates: [], vars: {}, secrets: {},
    run: { command: ['/bin/sh', '-c', 'echo $HOME 100%'], env: { A: 'x y' }, envFiles: [], readonlyRootfs: false, userns: false, capAdd: [], capDrop: [] },
    resources: { memoryBytes: 1 << 20, pids: 8, cpus: 0.25 }, network: { attach: [], ports: [], hostname: 'web' }, volumes: [],
    restart: { policy: 'on-failure', delayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 0.1, resetAfterMs: 60_000, burst: 5, withinMs: 60_000, cooldownMs: 60_000 },
    after: [], stop: { signal: UNIT_DEFAULTS.stopSignal, timeoutMs: 10_000 }, reload: { signal: 'SIGHUP' }, labels: {}, ...over,
  } as UnitSpec;
}

test('Exec arguments are quoted and % / $ escaped', () => {
  assert.is(quoteExecArg('/bin/true'), '/bin/true');
  assert.is(quoteExecArg('a b'), '"a b"');
  assert.is(quoteExecArg('say "hi"\\'), '"say \\"hi\\"\\\\"');
  assert.is(quoteExecArg('100%'), '100%%');
  assert.is(quoteExecArg('$HOME'), '"$$HOME"');
  assert.is(quoteExecArg(''), '""');
  assert.is(execLine(['/bin/sh', '-c', 'echo $X']), '/bin/sh -c "echo $$X"');
  assert.is(timeSpan(1500), '1500ms');
  assert.is(timeSpan(30_000), '30s');
  assert.is(timeSpan(120_000), '2min');
});

test('cron → OnCalendar', () => {
  assert.equal(cronToCalendar('*/5 2 * * 1-5'), { calendar: 'Mon..Fri *-*-* 02:00/5:00' });
  assert.equal(cronToCalendar('0 0 1 * *'), { calendar: '*-*-01 00:00:00' });
  assert.equal(cronToCalendar('30 0 12 * * 0,6'), { calendar: 'Sun,Sat *-*-* 12:00:30' });
  assert.equal(cronToCalendar('*/10 * * * *'), { calendar: '*-*-* *:00/10:00' });
  assert.ok('error' in cronToCalendar('@daily'));
  assert.ok('error' in cronToCalendar('5-10/2 * * * *'));
});

test('unit names ↔ object paths', () => {
  assert.is(unitPath('bt-9faa2c.service'), '/org/freedesktop/systemd1/unit/bt_2d9faa2c_2eservice');
  assert.is(unitPath('1x.service'), '/org/freedesktop/systemd1/unit/_31x_2eservice');
  assert.is(unitNameOfPath(unitPath('a@b-c.service')), 'a@b-c.service');
  assert.is(unitNameOfPath('/org/freedesktop/systemd1'), undefined);
});

test('a process unit exports with systemd owning restart, stop and limits', () => {
  const r = exportUnits([unit({ after: [{ unit: 'db', condition: 'healthy' }] })]);
  assert.is(r.files.length, 1);
  const text = r.files[0]!.text;
  assert.is(r.files[0]!.name, 'berth-web.service');
  for (const line of ['ExecStart=/bin/sh -c "echo $$HOME 100%%"', 'Environment="A=x y"', 'Restart=on-failure', 'RestartSec=100ms', 'MemoryMax=1048576', 'TasksMax=8', 'CPUQuota=25%',
    'KillSignal=SIGTERM', 'TimeoutStopSec=10s', 'After=berth-db.service', 'Requires=berth-db.service', 'StartLimitBurst=5', 'WantedBy=multi-user.target']) {
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  }
  assert.ok(r.warnings.some((w) => w.includes('healthy')));
});

test('a scheduled job gets a timer; VM units and bad crons are said, not hidden', () => {
  const r = exportUnits([
    unit({ name: 'tick', kind: 'job', schedule: { cron: '0 3 * * *', concurrency: 'skip', keep: 10 } }),
    unit({ name: 'vm1', kind: 'vm', isolation: 'vm' }),
    unit({ name: 'odd', kind: 'job', schedule: { cron: '@hourly', concurrency: 'skip', keep: 10 } }),
  ]);
  assert.equal(r.files.map((f) => f.name), ['berth-tick.service', 'berth-tick.timer', 'berth-odd.service']);
  assert.match(r.files[0]!.text, /^Type=oneshot$/m);
  assert.not.match(r.files[0]!.text, /^Restart=/m);
  assert.match(r.files[1]!.text, /^OnCalendar=\*-\*-\* 03:00:00$/m);
  assert.match(r.files[1]!.text, /^Unit=berth-tick.service$/m);
  assert.ok(r.warnings.some((w) => w.startsWith('vm1:')));
  assert.ok(r.warnings.some((w) => w.startsWith('odd:') && w.includes('no timer')));
});

test('a container unit exports through berth run, with a warning', () => {
  const r = exportUnits([unit({ isolation: 'container', image: { from: 'busybox', args: {} } })], ['/usr/bin/berth']);
  assert.match(r.files[0]!.text, /^ExecStart=\/usr\/bin\/berth run --rm --name web-sd -e "A=x y" -m 1048576 --cpus 0.25 --pids 8 busybox \/bin\/sh -c "echo \$\$HOME 100%%"$/m);
  assert.not.match(r.files[0]!.text, /^MemoryMax=/m);
  assert.ok(r.warnings.some((w) => w.includes('berth run')));
});

test('berth.service: notify, watchdog, KillMode=process so containers outlive an agent restart', () => {
  const text = renderAgentService({ berth: ['/usr/bin/node', '/opt/berth/bin/berth.js'], root: '/var/lib/berth', socket: '/run/berth/berth.sock', unitsDir: '/etc/berth/units', watchdogMs: 20_000 });
  for (const line of ['Type=notify', 'NotifyAccess=all', 'WatchdogSec=20s', 'Restart=on-failure', 'KillMode=process', 'WantedBy=multi-user.target',
    'ExecStart=/usr/bin/node /opt/berth/bin/berth.js --root /var/lib/berth agent --socket /run/berth/berth.sock --units /etc/berth/units --quiet']) {
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  }
});

test('properties → exit results and statuses', () => {
  const p = parseUnitProperties({ ActiveState: 'failed', ExecMainCode: 2, ExecMainStatus: 9, Result: 'oom-kill', MemoryCurrent: (1n << 64n) - 1n, StateChangeTimestamp: 1_700_000_000_000_000n });
  assert.is(p.memoryBytes, undefined);
  assert.is(p.since, 1_700_000_000_000);
  assert.equal(exitFromProperties(p, 5), { code: null, signal: 'SIGKILL', oomKilled: true, finishedAt: 5 });
  assert.equal(exitFromProperties({ execMainCode: 1, execMainStatus: 3 }, 5), { code: 3, signal: null, oomKilled: false, finishedAt: 5 });
  assert.is(observeUnit(null, undefined, 0).state, 'gone');
  assert.is(observeUnit({ activeState: 'active', freezerState: 'frozen', mainPid: 7 }, undefined, 0).state, 'paused');
  assert.is(observeUnit({ activeState: 'active', mainPid: 7, memoryBytes: 100 }, undefined, 0).usage?.memoryBytes, 100);
  assert.is(observeUnit(p, undefined, 0).exit?.oomKilled, true);
});

test.run();
