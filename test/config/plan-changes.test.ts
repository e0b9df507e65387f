import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planChanges } from '../../src/config/plan-changes.js';
import type { DesiredUnit, ObservedUnit } from '../../src/config/plan-types.js';
import { sha256, type RenderedFile } from '../../src/config/render-unit.js';
import type { UnitSpec } from '../../src/config/unit-spec.js';
import { makeSpec } from './spec-helper.js';

const file = (dest: string, content: string, onChange: RenderedFile['onChange'] = 'reload'): RenderedFile =>
  ({ dest, content, mode: 0o644, onChange, src: `web${dest}.njk`, sha256: sha256(content) });
const want = (spec: UnitSpec, files: RenderedFile[] = []): DesiredUnit => ({ spec, files });
const had = (spec: UnitSpec, files: RenderedFile[] = []): ObservedUnit => ({ spec, files: files.map((f) => ({ dest: f.dest, sha256: f.sha256, content: f.content, mode: f.mode })) });
const one = (d: DesiredUnit, o: ObservedUnit) => planChanges([d], [o]).actions[0]!;

const base = makeSpec('web');
const fieldCases: [string, Partial<UnitSpec>, string, string[]][] = [
  ['image', { image: { from: 'alpine', args: {} } }, 'restart', ['image.from']],
  ['run.command', { run: { ...base.run, command: ['httpd'] } }, 'restart', ['run.command']],
  ['env value', { run: { ...base.run, env: { MODE: 'dev' } } }, 'restart', ['run.env.MODE']],
  ['memory', { resources: { memoryBytes: 64 } }, 'restart', ['resources.memory']],
  ['ports', { network: { ...base.network, ports: [{ hostIp: '127.0.0.1', hostPort: 1, containerPort: 1, protocol: 'tcp' }] } }, 'restart', ['network.ports']],
  ['volumes', { volumes: [{ type: 'named', name: 'data', path: '/d', readonly: false }] }, 'restart', ['volumes']],
  ['isolation', { isolation: 'process' }, 'restart', ['isolation']],
  ['restart policy', { restart: { ...base.restart, policy: 'always' } }, 'update', ['restart.policy']],
  ['health', { health: { check: { type: 'tcp', host: '127.0.0.1', port: 1 }, everyMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 0, onUnhealthy: 'none' } }, 'update', ['health']],
  ['labels', { labels: { team: 'a' } }, 'update', ['labels.team']],
  ['description', { description: 'x' }, 'update', ['description']],
  ['stop signal', { stop: { signal: 'SIGINT', timeoutMs: 10_000 } }, 'update', ['stop.signal']],
  ['restart delay', { restart: { ...base.restart, maxDelayMs: 1 } }, 'update', ['restart.max_delay']],
  ['env file', { run: { ...base.run, envFiles: ['/e'] } }, 'restart', ['run.env_file']],
  ['user env key kept', { run: { ...base.run, env: { myVarMs: '1' } } }, 'restart', ['run.env.myVarMs']],
  ['vars alone', { vars: { port: 1 } }, 'update', ['vars.port']],
  ['file moved', { file: '/elsewhere/web.yaml', dir: '/elsewhere' }, 'none', []],
];
for (const [name, over, kind, fields] of fieldCases) {
  test(`field ${name} → ${kind}`, () => {
    const a = one(want({ ...base, ...over }), had(base));
    assert.is(a.kind, kind);
    assert.equal(a.fields, fields);
    if (kind !== 'none') assert.match(a.reason, fields[0] ?? '');
  });
}

test('restart beats update; the reason names the restart fields', () => {
  const a = one(want({ ...base, labels: { a: 'b' }, resources: { cpus: 1 } }), had(base));
  assert.is(a.kind, 'restart');
  assert.is(a.reason, 'resources.cpus changed');
  assert.equal(a.fields, ['labels.a', 'resources.cpus']);
});

const templateCases: [RenderedFile['onChange'], string, string][] = [
  ['reload', 'reload', 'template /etc/httpd.conf changed → reload (SIGHUP)'],
  ['restart', 'restart', 'template /etc/httpd.conf changed → restart'],
  ['none', 'update', 'template /etc/httpd.conf changed (on change: none)'],
];
for (const [onChange, kind, reason] of templateCases) {
  test(`template with on_change ${onChange} → ${kind}`, () => {
    const a = one(want(base, [file('/etc/httpd.conf', 'new\n', onChange)]), had(base, [file('/etc/httpd.conf', 'old\n', onChange)]));
    assert.is(a.kind, kind);
    assert.is(a.reason, reason);
    assert.match(a.diffs[0]!.unified, '-old\n+new');
  });
}

test('the strongest template effect wins (restart > reload > none)', () => {
  const a = one(
    want(base, [file('/a', '2', 'none'), file('/b', '2', 'reload'), file('/c', '2', 'restart')]),
    had(base, [file('/a', '1', 'none'), file('/b', '1', 'reload'), file('/c', '1', 'restart')]),
  );
  assert.is(a.kind, 'restart');
  assert.is(a.reason, 'template /c changed → restart');
  assert.is(a.diffs.length, 3);
});

test('a reload command is named in the reason', () => {
  const spec = { ...base, reload: { signal: 'SIGHUP', command: ['nginx', '-s', 'reload'] } };
  assert.is(one(want(spec, [file('/x', '2')]), had(spec, [file('/x', '1')])).reason, 'template /x changed → reload (nginx -s reload)');
});

test('template added or removed → restart', () => {
  assert.is(one(want(base, [file('/x', '1')]), had(base)).reason, 'template /x added');
  const r = one(want(base), had(base, [file('/x', '1')]));
  assert.is(r.kind, 'restart');
  assert.is(r.reason, 'template /x removed');
});

test('unchanged content → none; a stored sha256 without content still detects a change', () => {
  assert.is(one(want(base, [file('/x', 'same')]), had(base, [file('/x', 'same')])).kind, 'none');
  const o: ObservedUnit = { spec: base, files: [{ dest: '/x', sha256: sha256('old') }] };
  const a = one(want(base, [file('/x', 'new')]), o);
  assert.is(a.kind, 'reload');
  assert.match(a.diffs[0]!.unified, 'previous content not stored');
});

test('a job takes restart-class changes at its next run', () => {
  const job = makeSpec('backup', { kind: 'job' });
  const a = one(want({ ...job, run: { ...job.run, command: ['tar'] } }), had(job));
  assert.is(a.kind, 'update');
  assert.is(a.reason, 'run.command changed (applies at the next run)');
});

test('secrets never appear in diffs or reasons', () => {
  const a = planChanges([want(base, [file('/x', 'pw=hunter22\nport=2\n')])], [had(base, [file('/x', 'pw=hunter22\nport=1\n')])], { secretValues: ['hunter22'] }).actions[0]!;
  assert.not.match(a.diffs[0]!.unified, 'hunter22');
  assert.match(a.diffs[0]!.unified, ' pw=•••');
  const b = planChanges([want(base, [file('/x', 'pw=new-secret\n')])], [had(base, [file('/x', 'pw=•••\n')])], { secretValues: ['new-secret'] }).actions[0]!;
  assert.is(b.diffs[0]!.unified, '(only secret values changed)\n');
});

test('a stored spec with ••• in place of a rendered secret compares equal', () => {
  const live = { ...base, run: { ...base.run, env: { TOKEN: 'tok-123456' } } };
  const stored = { ...base, run: { ...base.run, env: { TOKEN: '•••' } } };
  assert.is(planChanges([want(live)], [had(stored)], { secretValues: ['tok-123456'] }).actions[0]!.kind, 'none');
});

const dep = (name: string, on: string, condition: 'healthy' | 'started' | 'completed') => makeSpec(name, { after: [{ unit: on, condition }] });

test('dependents restart after a restarted unit (healthy, started; transitively; not completed)', () => {
  const db = makeSpec('db');
  const web = dep('web', 'db', 'healthy');
  const proxy = dep('proxy', 'web', 'started');
  const report = dep('report', 'db', 'completed');
  const plan = planChanges(
    [want({ ...db, image: { from: 'postgres', args: {} } }), want(web), want(proxy), want(report)],
    [had(db), had(web), had(proxy), had(report)],
  );
  const by = Object.fromEntries(plan.actions.map((a) => [a.unit, a]));
  assert.is(by.db!.kind, 'restart');
  assert.is(by.web!.reason, 'after db restarts');
  assert.is(by.proxy!.kind, 'restart');
  assert.is(by.proxy!.reason, 'after web restarts');
  assert.is(by.report!.kind, 'none');
  assert.equal(plan.summary, { create: 0, remove: 0, restart: 3, reload: 0, update: 0, unchanged: 1 });
});

test('users of a recreated network restart; a job does not', () => {
  const net = makeSpec('app', { kind: 'network', subnet: '10.1.0.0/24' });
  const web = makeSpec('web', { network: { attach: ['app'], ports: [], hostname: 'web' } });
  const job = makeSpec('backup', { kind: 'job', network: { attach: ['app'], ports: [], hostname: 'backup' } });
  const plan = planChanges([want({ ...net, subnet: '10.2.0.0/24' }), want(web), want(job)], [had(net), had(web), had(job)]);
  const by = Object.fromEntries(plan.actions.map((a) => [a.unit, a]));
  assert.is(by.app!.reason, 'subnet changed');
  assert.is(by.web!.kind, 'restart');
  assert.is(by.web!.reason, 'network app is recreated');
  assert.is(by.backup!.kind, 'none');
});

test('a reload does not restart dependents', () => {
  const web = dep('web', 'db', 'healthy');
  const db = makeSpec('db');
  const plan = planChanges([want(db, [file('/c', '2')]), want(web)], [had(db, [file('/c', '1')]), had(web)]);
  assert.equal(plan.actions.map((a) => a.kind), ['reload', 'none']);
});

test('creates in start order, removes first and in reverse', () => {
  const net = makeSpec('app', { kind: 'network' });
  const web = makeSpec('web', { network: { attach: ['app'], ports: [], hostname: 'web' }, after: [{ unit: 'db', condition: 'healthy' }] });
  const db = makeSpec('db', { network: { attach: ['app'], ports: [], hostname: 'db' } });
  const oldA = makeSpec('a-old');
  const oldB = makeSpec('b-old', { after: [{ unit: 'a-old', condition: 'started' }] });
  const plan = planChanges([want(web), want(db), want(net)], [had(oldA), had(oldB)]);
  assert.equal(plan.actions.map((a) => `${a.kind} ${a.unit}`), ['remove b-old', 'remove a-old', 'create app', 'create db', 'create web']);
  assert.is(plan.actions[2]!.reason, 'new network');
});

test.run();
