/**
 * Throws a few thousand mutated templates at renderUnit and renderUnitStrings:
 * each must come back as files or ConfigErrors with a position, never a throw.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { renderUnitStrings } from '../../src/config/render-unit-strings.js';
import { renderUnit } from '../../src/config/render-unit.js';
import { FACTS, makeSpec } from './spec-helper.js';

const SEEDS = [
  'listen {{ port }}\n{% for k, v in mime %}.{{ k }}:{{ v }}\n{% endfor %}',
  '{% if host.cpus > 1 %}workers {{ host.cpus }}{% else %}workers 1{% endif %}\n{% include "inc.njk" %}',
  '{% macro m(x, y=2) %}{{ x }}-{{ y }}{% endmacro %}{{ m(1) }}{% set z = [1,2,3] %}{{ z | join(",") }}{{ secrets.pw | upper }}',
  '{% extends "base.njk" %}{% block body %}{{ super() }} {{ unit.name }}{% endblock %}',
];
const PIECES = ['{{', '}}', '{%', '%}', '{#', '#}', '|', '.', '(', ')', '[', ']', '"', "'", ',', ' ', '\n', 'for', 'endfor', 'if', 'endif', 'in', 'range(9)', 'include', '"../x"', '"/etc/passwd"', 'prot', 'host', 'loop.index', 'set', '=', '~', '+', '*', 'default(1)', 'macro', 'caller()', 'raw', 'endraw', '-'];

let seed = 12345;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
function mutate(s: string): string {
  let out = s;
  for (let i = 0, n = 1 + rand(4); i < n; i++) {
    const at = rand(out.length + 1);
    const op = rand(3);
    if (op === 0) out = out.slice(0, at) + PIECES[rand(PIECES.length)] + out.slice(at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + rand(4));
    else out = out.slice(0, at) + out.slice(rand(out.length + 1));
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'bt-fuzz-'));
mkdirSync(join(dir, 'u'));
writeFileSync(join(dir, 'u', 'inc.njk'), 'included {{ port }}');
writeFileSync(join(dir, 'u', 'base.njk'), '{% block body %}base{% endblock %}');
const spec = makeSpec('fz', {
  dir: join(dir, 'u'),
  file: join(dir, 'u', 'fz.yaml'),
  vars: { port: 80, mime: { html: 'text/html' } },
  templates: [{ src: join(dir, 'u', 't.njk'), dest: '/t', onChange: 'none', mode: 0o644 }],
});
const ctx = { facts: FACTS, secrets: { pw: 'secret-value' } };

const checkError = (e: unknown) => {
  assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
  assert.ok(e.line >= 1 && e.column >= 1 && e.file.length > 0, `no position: ${e.message}`);
  assert.ok(e.message.length > 0);
};

test('mutated templates render or fail with a positioned ConfigError', async () => {
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < 800; i++) {
    const text = mutate(SEEDS[i % SEEDS.length]!);
    writeFileSync(join(dir, 'u', 't.njk'), text);
    const r = await renderUnit(spec, ctx);
    for (const e of r.errors) checkError(e);
    if (r.errors.length) failed++;
    else ok++;
  }
  assert.ok(ok > 30 && failed > 30, `both outcomes exercised (${ok} ok, ${failed} failed)`);
});

test('mutated strings in run.command never throw', () => {
  for (let i = 0; i < 600; i++) {
    const text = mutate(SEEDS[i % 3]!);
    const r = renderUnitStrings({ ...spec, run: { ...spec.run, command: ['sh', text], env: { A: text } } }, ctx, 'name: fz\n');
    for (const e of r.errors) checkError(e);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
