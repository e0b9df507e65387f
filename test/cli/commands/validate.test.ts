/** `berth validate` and `berth schema` as a user runs them: output and exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import { register as registerSchema } from '../../../src/cli/commands/schema.js';
import { register as registerValidate, summarizeUnits } from '../../../src/cli/commands/validate.js';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
const fixtures = new URL('../../fixtures/units/sets/', import.meta.url).pathname;

/** Runs the verbs in this process (fast); one test below runs the real CLI. */
async function berth(...args: string[]): Promise<{ stdout: string; status: number }> {
  const program = new Command('berth').exitOverride();
  registerValidate(program);
  registerSchema(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'berth', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const status = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { stdout, status };
}

test('summarizeUnits', () => {
  const kinds = (...ks: string[]) => ks.map((kind) => ({ kind }) as { kind: 'service' });
  assert.is(summarizeUnits(kinds('service', 'job', 'service', 'network', 'volume', 'service')), '6 units valid: 3 services, 1 job, 1 network, 1 volume');
  assert.is(summarizeUnits(kinds('vm')), '1 unit valid: 1 vm');
  assert.is(summarizeUnits([]), '0 units valid');
});

test('a valid folder: one summary line, exit 0', async () => {
  const r = await berth('validate', join(fixtures, 'valid-stack'));
  assert.is(r.stdout, '5 units valid: 2 services, 1 job, 1 network, 1 volume\n');
  assert.is(r.status, 0);
});

test('errors: file:line:col: key.path: message, hints, a count, exit 1 (the real CLI)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'validate', join(fixtures, 'refs')], { encoding: 'utf8' });
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(r.status, 1);
  assert.match(lines[0]!, /refs\/web\.yaml:11:30: network\.attach\[1\]: network `backnd` does not exist — did you mean `backend`\?$/);
  assert.is(lines[1], '  hint: attach `default` or a unit of kind network');
  assert.is(lines[lines.length - 1], '7 errors in 2 of 5 files');
});

test('--json: ok, unit names, errors as JSON', async () => {
  const bad = JSON.parse((await berth('validate', '--json', join(fixtures, 'cycle'))).stdout) as { ok: boolean; units: string[]; errors: Record<string, unknown>[] };
  assert.is(bad.ok, false);
  assert.equal(bad.units, []);
  assert.equal(
    { ...bad.errors[0], file: undefined },
    { code: 'E_CYCLE', message: 'dependency cycle: cache → web → db → cache', hint: 'remove one of these `after` entries', file: undefined, line: 5, column: 10, path: 'after.web' },
  );
  const good = JSON.parse((await berth('validate', join(fixtures, 'valid-stack'), '--json')).stdout) as { ok: boolean; units: string[] };
  assert.equal(good, { ok: true, units: ['backend', 'data', 'db', 'migrate', 'web'], errors: [] });
});

test('a missing folder: one clear error, exit 1', async () => {
  const r = await berth('validate', '/nonexistent/bt-units');
  assert.is(r.status, 1);
  assert.match(r.stdout, /^\/nonexistent\/bt-units:1:1: cannot read the unit folder: ENOENT/);
});

test('berth schema prints the JSON Schema; -o writes it to a file', async () => {
  const r = await berth('schema');
  assert.is(r.status, 0);
  const schema = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const dir = mkdtempSync(join(tmpdir(), 'bt-schema-'));
  try {
    const out = join(dir, 'unit.schema.json');
    assert.equal(await berth('schema', '-o', out), { stdout: '', status: 0 });
    assert.equal(JSON.parse(readFileSync(out, 'utf8')), schema);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
