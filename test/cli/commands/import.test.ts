/** `berth import compose` as a user runs it: files written, warnings, no overwrite, the result validates. */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { register } from '../../../src/cli/commands/import.js';
import { loadUnitDir } from '../../../src/config/load-unit-dir.js';
import { runVerb } from './run-verb.js';

const dir = mkdtempSync(join(tmpdir(), 'bt-import-cli-'));
const compose = join(dir, 'docker-compose.yml');
copyFileSync(new URL('../../fixtures/compose/wordpress.yml', import.meta.url), compose);
const out = join(dir, 'units');

test('writes one unit file per unit and lists what was dropped', async () => {
  const r = await runVerb(register, dir, 'import', 'compose', compose, '-o', out);
  assert.is(r.status, 0, r.stdout + r.stderr);
  for (const f of ['db.yaml', 'db_data.yaml', 'wordpress.yaml']) assert.ok(existsSync(join(out, f)), f);
  assert.match(r.stdout, 'warning: services.wordpress.privileged: not supported, dropped');
  assert.match(readFileSync(join(out, 'db.yaml'), 'utf8'), '# Imported from docker-compose.yml (services.db)');
  const loaded = await loadUnitDir(out);
  assert.equal(loaded.errors.map((e) => e.message), []);
  assert.is(loaded.units.length, 3);
});

test('refuses to overwrite without --force', async () => {
  const r = await runVerb(register, dir, 'import', 'compose', compose, '-o', out);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'already exist');
  assert.is((await runVerb(register, dir, 'import', 'compose', compose, '-o', out, '--force')).status, 0);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
