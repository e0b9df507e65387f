import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../src/errors.js';
import { statSync } from 'node:fs';
import { appliedStatePath, parseAppliedState, readAppliedState, toObservedUnit, writeAppliedState } from '../../src/config/plan-state.js';
import { sha256 } from '../../src/config/render-unit.js';
import { makeSpec } from './spec-helper.js';

const root = mkdtempSync(join(tmpdir(), 'bt-state-'));

test('no state file means nothing applied', async () => {
  assert.equal(await readAppliedState(join(root, 'none')), []);
});

test('reads what was written (the agent uses the same format)', async () => {
  const units = [{ spec: makeSpec('web'), files: [{ dest: '/x', sha256: 'ab' }], state: 'running' }];
  writeFileSync(appliedStatePath(root), JSON.stringify(units));
  assert.equal(await readAppliedState(root), units);
});

test('toObservedUnit stores redacted content; writeAppliedState round-trips, 0600', async () => {
  const content = 'pw=hunter22\n';
  const o = toObservedUnit({ spec: makeSpec('web'), files: [{ dest: '/x', content, mode: 0o644, onChange: 'reload', src: 'x.njk', sha256: sha256(content) }] }, ['hunter22'], 'running');
  assert.equal(o.files, [{ dest: '/x', sha256: sha256(content), mode: 0o644, content: 'pw=•••\n' }]);
  const dir = join(root, 'w');
  (await import('node:fs')).mkdirSync(dir);
  await writeAppliedState(dir, [o]);
  assert.equal(await readAppliedState(dir), [o]);
  assert.is(statSync(appliedStatePath(dir)).mode & 0o777, 0o600);
});

test('bad JSON or a wrong shape is a BerthError naming the file', () => {
  assert.throws(() => parseAppliedState('{', '/x/applied.json'), (e: unknown) => e instanceof BerthError && e.message.startsWith('/x/applied.json is not valid JSON'));
  assert.throws(() => parseAppliedState('[{"spec":{}}]'), (e: unknown) => e instanceof BerthError && e.code === 'E_STATE');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
