/**
 * Runs every fixture in test/fixtures/units: each `*.yaml` alone, and each
 * folder under `sets/` as one unit folder. A fixture states what it expects
 * on its first lines: `# expect: valid`, or one line per error:
 * `# expect-error: CODE LINE:COL [key.path]`. The errors found must be exactly
 * the errors expected.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadUnitDir } from '../../src/config/load-unit-dir.js';
import { validateUnitTexts } from '../../src/config/validate-unit-texts.js';
import type { ConfigError } from '../../src/errors.js';

const root = new URL('../fixtures/units/', import.meta.url).pathname;

function expectations(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: string[] = [];
  let stated = false;
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    const err = /^# expect-error: (E_[A-Z_]+) (\d+:\d+)(?: (\S+))?\s*$/.exec(line);
    if (err) out.push(`${err[1]} ${err[2]} ${err[3] ?? ''}`.trim());
    if (err || /^# expect: valid\s*$/.test(line)) stated = true;
  }
  if (!stated) throw new Error(`${file}: states no expectation on its first lines`);
  return out;
}

const actual = (errors: ConfigError[]): string[] => errors.map((e) => `${e.code} ${e.line}:${e.column} ${e.path}`.trim()).sort();

const singles = readdirSync(root).filter((f) => /\.ya?ml$/.test(f)).sort();
for (const name of singles) {
  test(`fixture ${name}`, () => {
    const file = join(root, name);
    const { units, errors } = validateUnitTexts([{ file, text: readFileSync(file, 'utf8') }]);
    const want = expectations(file).sort();
    assert.equal(actual(errors), want);
    assert.is(units.length, want.length === 0 ? 1 : 0);
    for (const e of errors) assert.is(e.file, file);
  });
}

const sets = readdirSync(join(root, 'sets')).sort();
for (const name of sets) {
  test(`fixture folder sets/${name}`, async () => {
    const dir = join(root, 'sets', name);
    const { units, errors, files } = await loadUnitDir(dir);
    assert.ok(files.length > 1);
    for (const file of files) {
      const mine = errors.filter((e) => e.file === file);
      assert.equal(actual(mine), expectations(file).sort(), file);
    }
    assert.is(errors.filter((e) => !files.includes(e.file)).length, 0);
    assert.is(units.length, errors.length === 0 ? files.length : 0);
  });
}

test('there are fixtures of every kind of outcome', () => {
  assert.ok(singles.length >= 20);
  assert.ok(sets.includes('valid-stack'));
});

test.run();
