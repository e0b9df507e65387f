/** `berth plan` as a user runs it: against nothing, against applied.json, --json, errors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { register } from '../../../src/cli/commands/plan.js';
import { loadDesired } from '../../../src/config/plan-desired.js';
import { collectHostFacts } from '../../../src/config/host-facts.js';
import { toObservedUnit, writeAppliedState } from '../../../src/config/plan-state.js';
import { runVerb } from './run-verb.js';

const root = mkdtempSync(join(tmpdir(), 'bt-plan-cli-'));
const units = join(root, 'units');
mkdirSync(join(units, 'web'), { recursive: true });
mkdirSync(join(root, 'secrets'));
writeFileSync(join(root, 'secrets', 'token'), 'tok-0123456789');
const webYaml = (port: number) => [
  'name: web', 'kind: service', 'image: { from: busybox }', `vars: { port: ${port} }`,
  'secrets: { token: { file: token } }',
  'run: { command: [httpd, -p, "{{ port }}"] }',
  'templates:', '  - { src: web/c.njk, dest: /etc/c, on_change: reload }', '',
].join('\n');
writeFileSync(join(units, 'web.yaml'), webYaml(8080));
writeFileSync(join(units, 'web', 'c.njk'), 'port {{ port }}\ntoken {{ secrets.token }}\n');

test('against an empty host everything is created', async () => {
  const r = await runVerb(register, root, 'plan', units);
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, '+ web   create   new service');
  assert.match(r.stdout, '+token •••');
  assert.not.match(r.stdout, 'tok-0123456789');
  assert.match(r.stdout, 'Plan: 1 to create');
});

test('against applied.json: changed fields and a reload, in human and --json form', async () => {
  const applied = await loadDesired(units, { secretsDir: join(root, 'secrets'), facts: collectHostFacts() });
  await writeAppliedState(root, applied.desired.map((d) => toObservedUnit(d, applied.secretValues)));
  assert.match((await runVerb(register, root, 'plan', units)).stdout, 'No changes. 1 unit unchanged.');
  writeFileSync(join(units, 'web.yaml'), webYaml(9090));
  const r = await runVerb(register, root, 'plan', units);
  assert.match(r.stdout, '~ web   restart  run.command changed', r.stdout);
  assert.match(r.stdout, '-port 8080\n    +port 9090');
  const j = await runVerb(register, root, 'plan', units, '--json');
  const plan = JSON.parse(j.stdout);
  assert.equal(plan.summary, { create: 0, remove: 0, restart: 1, reload: 0, update: 0, unchanged: 0 });
  assert.equal(plan.actions[0].fields, ['run.command', 'vars.port']);
  assert.not.match(j.stdout, 'tok-0123456789');
  writeFileSync(join(units, 'web.yaml'), webYaml(8080));
});

test('errors are printed like berth validate, exit 1', async () => {
  writeFileSync(join(units, 'bad.yaml'), 'name: bad\nkind: service\nrestrat: {}\n');
  const r = await runVerb(register, root, 'plan', units);
  assert.is(r.status, 1);
  assert.match(r.stdout, `${join(units, 'bad.yaml')}:3:1: restrat:`);
  rmSync(join(units, 'bad.yaml'));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
