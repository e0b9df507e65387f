/** `berth render` as a user runs it: headers, redaction, --show-secrets, errors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { register } from '../../../src/cli/commands/render.js';
import { runVerb } from './run-verb.js';

const root = mkdtempSync(join(tmpdir(), 'bt-render-cli-'));
const units = join(root, 'units');
mkdirSync(join(units, 'db'), { recursive: true });
mkdirSync(join(root, 'secrets'));
writeFileSync(join(root, 'secrets', 'db_pw'), 'correct-horse\n');
writeFileSync(join(units, 'db.yaml'), [
  'name: db', 'kind: service', 'image: { from: busybox }', 'vars: { port: 5432 }',
  'secrets:', '  pw: { file: db_pw }',
  'templates:', '  - { src: db/app.conf.njk, dest: /etc/app.conf, on_change: restart, mode: "0600" }', '',
].join('\n'));
writeFileSync(join(units, 'db', 'app.conf.njk'), 'port={{ port }}\npassword={{ secrets.pw }}\n');
writeFileSync(join(units, 'bad.yaml'), 'name: bad\nkind: service\nimage: { from: busybox }\ntemplates:\n  - { src: db/typo.njk, dest: /x }\n');
writeFileSync(join(units, 'db', 'typo.njk'), '{{ prot }}');

test('prints each file under a header, secrets as •••', async () => {
  const r = await runVerb(register, root, 'render', 'db', '--dir', units);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.is(r.stdout, '# /etc/app.conf (from db/app.conf.njk, 0600, on change: restart)\nport=5432\npassword=•••\n');
});

test('--show-secrets prints the values', async () => {
  const r = await runVerb(register, root, 'render', 'db', '--dir', units, '--show-secrets');
  assert.match(r.stdout, 'password=correct-horse');
});

test('--secrets DIR overrides the folder; a missing secret is an error at the unit file', async () => {
  const r = await runVerb(register, root, 'render', 'db', '--dir', units, '--secrets', join(root, 'elsewhere'));
  assert.is(r.status, 1);
  assert.match(r.stdout, `${join(units, 'db.yaml')}:6:3: secrets.pw: secret \`pw\``);
});

test('a template error is printed with file:line:col and exits 1', async () => {
  const r = await runVerb(register, root, 'render', 'bad', '--dir', units);
  assert.is(r.status, 1);
  assert.match(r.stdout, `${join(units, 'db', 'typo.njk')}:1:4: undefined variable \`prot\``);
});

test('an unknown unit is named', async () => {
  const r = await runVerb(register, root, 'render', 'nope', '--dir', units);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'no unit `nope`');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
