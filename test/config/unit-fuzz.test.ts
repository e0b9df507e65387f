/**
 * Fuzz: thousands of mutated unit files (seeded, so a failure replays) thrown
 * at validateUnitTexts. It must never throw, and everything it returns must
 * be a ConfigError with a file, a line ≥ 1 and a column ≥ 1.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateUnitTexts } from '../../src/config/validate-unit-texts.js';
import { ConfigError } from '../../src/errors.js';

const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 20261128);
const ROUNDS = Number(process.env.BERTH_FUZZ_ROUNDS ?? 3000);

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...corpus(path));
    else if (/\.ya?ml$/.test(name)) out.push(readFileSync(path, 'utf8'));
  }
  return out;
}

const SEEDS = corpus(new URL('../fixtures/units/', import.meta.url).pathname);
const VALUES = [
  '', '~', 'null', 'true', 'no', '0', '-1', '1e400', '99999999999999999999999', '0x1F', '.nan', '-.inf', '1.5',
  '"quoted"', "'single'", '[]', '{}', '[a, b', '{a: 1', '&anchor x', '*anchor', '*undefined', '!!binary aGk=', '!custom x',
  '|', '>-', '%YAML 1.2', '@at', '`tick`', '"\\u0000"', 'ǘnïcødé', '日本語', '🚀🚀', '\u202e', 'a'.repeat(300),
  '64Mi', '5s', 'web', 'default', 'service', 'job', '/abs', '../up', '127.0.0.1:80:80', '? complex', '- item', 'key: value',
];
const KEYS = ['name', 'kind', 'image', 'run', 'after', 'network', 'volumes', 'restart', 'health', 'schedule', 'vm', 'x', '<<', '? ', 'ünï'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let lines = text.split('\n');
  const i = Math.floor(rnd() * Math.max(1, lines.length));
  switch (Math.floor(rnd() * 9)) {
    case 0: // delete a line
      lines.splice(i, 1);
      break;
    case 1: // duplicate a line
      lines.splice(i, 0, lines[i] ?? '');
      break;
    case 2: { // swap two characters
      const chars = [...text];
      const a = Math.floor(rnd() * chars.length);
      const b = Math.floor(rnd() * chars.length);
      [chars[a], chars[b]] = [chars[b]!, chars[a]!];
      lines = chars.join('').split('\n');
      break;
    }
    case 3: // random indentation
      lines[i] = ' '.repeat(Math.floor(rnd() * 7)) + (rnd() < 0.2 ? '\t' : '') + (lines[i] ?? '').trimStart();
      break;
    case 4: { // random value after a colon
      const line = lines[i] ?? '';
      const c = line.indexOf(':');
      lines[i] = c >= 0 ? `${line.slice(0, c + 1)} ${pick(VALUES)}` : `${line} ${pick(VALUES)}`;
      break;
    }
    case 5: // random key
      lines.splice(i, 0, `${' '.repeat(Math.floor(rnd() * 4))}${pick(KEYS)}: ${pick(VALUES)}`);
      break;
    case 6: { // unicode or control characters inside a line
      const line = lines[i] ?? '';
      const at = Math.floor(rnd() * (line.length + 1));
      lines[i] = line.slice(0, at) + pick(['\u0000', '\u00a0', '\ufeff', 'é', '𝕏', '\r', '"', "'", '#', ':', '-', '{', '}']) + line.slice(at);
      break;
    }
    case 7: // truncate
      return text.slice(0, Math.floor(rnd() * text.length));
    default: { // huge or odd numbers anywhere a digit is
      lines = lines.map((l) => (rnd() < 0.3 ? l.replace(/\d+/, pick(['1e308', '123456789012345678901234567890', '-0', '00', '0.0000001'])) : l));
    }
  }
  return lines.join('\n');
}

test(`validateUnitTexts survives ${ROUNDS} mutated unit files (seed ${SEED})`, () => {
  assert.ok(SEEDS.length > 20);
  const rnd = prng(SEED);
  let withErrors = 0;
  let valid = 0;
  let batches = 0;
  for (let round = 0; round < ROUNDS; ) {
    // one to three files at a time, so folder-wide rules see broken neighbours too
    const size = 1 + Math.floor(rnd() * 3);
    batches++;
    const files = Array.from({ length: size }, (_, k) => {
      let text = SEEDS[Math.floor(rnd() * SEEDS.length)]!;
      const n = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < n; m++) text = mutate(text, rnd);
      return { file: `f${round + k}.yaml`, text };
    });
    round += size;
    let result: ReturnType<typeof validateUnitTexts>;
    try {
      result = validateUnitTexts(files);
    } catch (err) {
      throw new Error(`round ${round} threw ${String(err)}\n${files.map((f) => `--- ${f.file}\n${f.text}`).join('\n')}`);
    }
    const names = new Set(files.map((f) => f.file));
    for (const e of result.errors) {
      const where = `round ${round}: ${JSON.stringify(e)}`;
      assert.instance(e, ConfigError, where);
      assert.ok(names.has(e.file), where);
      assert.ok(Number.isInteger(e.line) && e.line >= 1, where);
      assert.ok(Number.isInteger(e.column) && e.column >= 1, where);
      assert.match(e.code, /^E_[A-Z_]+$/, where);
      assert.ok(typeof e.message === 'string' && e.message.length > 0, where);
    }
    if (result.errors.length > 0) withErrors++;
    else {
      valid++;
      assert.is(result.units.length, files.length);
    }
  }
  if (process.env.BERTH_FUZZ_VERBOSE) console.log({ batches, withErrors, valid });
  // the mutations must actually exercise both outcomes
  assert.ok(withErrors > batches / 2, `only ${withErrors} of ${batches} batches with errors`);
  assert.ok(valid > batches / 100, `only ${valid} of ${batches} batches stayed valid`);
});

test.run();
