import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultSecretsDir, resolveSecrets } from '../../src/config/secrets.js';
import { makeSpec } from './spec-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'bt-secrets-'));
const secretsDir = join(dir, 'secrets');
mkdirSync(join(secretsDir, 'db'), { recursive: true });
writeFileSync(join(secretsDir, 'db', 'password'), 'hunter2-long\n');
writeFileSync(join(dir, 'outside'), 'nope');
symlinkSync(join(dir, 'outside'), join(secretsDir, 'link'));
const unitText = 'name: web\nkind: service\nsecrets:\n  db_password: { file: db/password }\n  missing: { file: nope }\n  token: { env: BT_TOKEN }\n';

test('file and env secrets resolve; one trailing newline is dropped', () => {
  const spec = makeSpec('web', { secrets: { db_password: { from: 'file', path: 'db/password' }, token: { from: 'env', variable: 'BT_TOKEN' } } });
  const r = resolveSecrets(spec, { secretsDir, env: { BT_TOKEN: 'tok-abcdef' }, unitText });
  assert.equal(r.errors, []);
  assert.equal(r.values, { db_password: 'hunter2-long', token: 'tok-abcdef' });
});

test('an absolute path inside the secrets folder is fine (as normalizeUnit makes them)', () => {
  const spec = makeSpec('web', { secrets: { db_password: { from: 'file', path: join(secretsDir, 'db/password') } } });
  assert.equal(resolveSecrets(spec, { secretsDir, unitText }).values, { db_password: 'hunter2-long' });
});

test('a missing file and an unset variable are errors at the secrets key, with hints', () => {
  const spec = makeSpec('web', { secrets: { missing: { from: 'file', path: 'nope' }, token: { from: 'env', variable: 'BT_TOKEN' } } });
  const r = resolveSecrets(spec, { secretsDir, env: {}, unitText });
  assert.is(r.errors.length, 2);
  const [missing, token] = r.errors;
  assert.is(missing!.path, 'secrets.missing');
  assert.is(missing!.line, 5);
  assert.is(missing!.column, 3);
  assert.match(missing!.message, 'does not exist');
  assert.ok(missing!.hint);
  assert.is(token!.line, 6);
  assert.match(token!.message, 'BT_TOKEN is not set');
});

test('paths out of the secrets folder are refused: ../ and symlinks', () => {
  const spec = makeSpec('web', { secrets: { up: { from: 'file', path: '../outside' }, link: { from: 'file', path: 'link' } } });
  const r = resolveSecrets(spec, { secretsDir, unitText: 'x: 1\n' });
  assert.equal(r.values, {});
  assert.equal(r.errors.map((e) => e.code), ['E_SECRET_OUTSIDE', 'E_SECRET_OUTSIDE']);
  assert.match(r.errors[1]!.message, 'symlink');
  assert.is(r.errors[0]!.line, 1, 'no secrets key in the text: line 1');
});

test('short values are warned about (they are not redacted)', () => {
  const spec = makeSpec('web', { secrets: { pin: { from: 'env', variable: 'PIN' } } });
  const r = resolveSecrets(spec, { secretsDir, env: { PIN: '42' }, unitText });
  assert.is(r.warnings.length, 1);
  assert.match(r.warnings[0]!, 'not redacted');
});

test('default secrets folder is under the state root', () => {
  assert.is(defaultSecretsDir('/srv/berth'), '/srv/berth/secrets');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
