import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderUnit, sha256 } from '../../src/config/render-unit.js';
import { FACTS, makeSpec } from './spec-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'bt-render-'));
const unitDir = join(dir, 'units');
mkdirSync(join(unitDir, 'web', 'partials'), { recursive: true });
const put = (rel: string, text: string) => writeFileSync(join(unitDir, rel), text);
put('web/httpd.conf.njk', 'H:{{ host.hostname }}\nP:{{ port }}\n{% include "web/partials/mime.njk" %}\n');
put('web/partials/mime.njk', '.html:text/html cpus={{ host.cpus }}');
put('web/rel.njk', '{% include "./partials/mime.njk" %}');
put('web/typo.njk', 'line1\nlisten {{ prot }}\n');
put('web/sum.njk', '{{ port + prot }}');
put('web/guarded.njk', '{% if extra is defined %}x{% endif %}{{ extra | default("d") }}{% set a = 1 %}{{ a }}{% for i in [1,2] %}{{ i }}{% endfor %}');
put('web/nested.njk', '{{ host.cpu }}');
put('web/secret.njk', 'pw={{ secrets.db_password }} unit={{ unit.name }}/{{ unit.kind }}');
put('web/syntax.njk', 'ok\n{% if %}\n');
put('web/escape.njk', '{% include "../../outside.txt" %}');
put('web/abs.njk', '{% include "/etc/hostname" %}');
put('web/link.njk', '{% include "web/evil.njk" %}');
put('web/missing.njk', 'a\n  {% include "web/nope.njk" %}');
put('web/html.njk', '{{ "<b>&" }}');
put('web/loop.njk', '{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}');
put('web/macro.njk', '{% macro f(n, sep=",") %}{{ n }}{{ sep }}{% endmacro %}{{ f(1) }}{{ f(2, sep=";") }}');
put('web/nested-inc.njk', 'a\n{% include "web/partials/bad.njk" %}');
put('web/partials/bad.njk', 'line\n {{ host.os.nme }}\n');
put('web/filter.njk', 'x {{ port | nosuch }}');
put('web/eof.njk', 'ok\n{% if port %}\nno end');
put('web/local.njk', '{% for i in [1] %}{{ i.x.y }}{% endfor %}');
put('web/macros.njk', '{% macro kv(k, v) %}{{ k }}={{ v }}{% endmacro %}');
put('web/base.njk', 'top\n{% block body %}base{% endblock %}\n');
put('web/uses.njk', '{% import "web/macros.njk" as m %}{% from "./macros.njk" import kv %}{{ m.kv("a", port) }};{{ kv("b", 2) }}');
put('web/child.njk', '{% extends "web/base.njk" %}{% block body %}child {{ port }}{% endblock %}');
put('web/import-out.njk', '{% import "../../outside.txt" as x %}');
put('web/inc-sum.njk', '{% set local = 1 %}{% include "web/partials/sum.njk" %}');
put('web/partials/sum.njk', 'x\n{{ local + port + prot }}');
writeFileSync(join(dir, 'outside.txt'), 'outside');
symlinkSync('/etc/hostname', join(unitDir, 'web/evil.njk'));

const spec = (src: string, dest = '/etc/out') =>
  makeSpec('web', {
    file: join(unitDir, 'web.yaml'),
    dir: unitDir,
    vars: { port: 8080 },
    templates: [{ src: join(unitDir, src), dest, onChange: 'reload', mode: 0o644 }],
  });
const ctx = { facts: FACTS, secrets: { db_password: 's3cret-pw' } };

test('renders vars, host facts and includes under the unit folder', async () => {
  const { files, errors } = await renderUnit(spec('web/httpd.conf.njk', '/etc/httpd.conf'), ctx);
  assert.equal(errors, []);
  assert.is(files[0]!.content, 'H:testhost\nP:8080\n.html:text/html cpus=2\n');
  assert.is(files[0]!.src, 'web/httpd.conf.njk');
  assert.is(files[0]!.dest, '/etc/httpd.conf');
  assert.is(files[0]!.onChange, 'reload');
  assert.is(files[0]!.sha256, sha256(files[0]!.content));
});

test('./ includes resolve against the including template', async () => {
  const { files, errors } = await renderUnit(spec('web/rel.njk'), ctx);
  assert.equal(errors, []);
  assert.is(files[0]!.content, '.html:text/html cpus=2');
});

test('secrets and unit are in the context; autoescape is off', async () => {
  assert.is((await renderUnit(spec('web/secret.njk'), ctx)).files[0]!.content, 'pw=s3cret-pw unit=web/service');
  assert.is((await renderUnit(spec('web/html.njk'), ctx)).files[0]!.content, '<b>&');
  assert.is((await renderUnit(spec('web/macro.njk'), ctx)).files[0]!.content, '1,2;');
});

test('import, from-import and extends work inside the folder, and are confined too', async () => {
  assert.is((await renderUnit(spec('web/uses.njk'), ctx)).files[0]!.content, 'a=8080;b=2');
  assert.is((await renderUnit(spec('web/child.njk'), ctx)).files[0]!.content, 'top\nchild 8080\n');
  assert.match((await renderUnit(spec('web/import-out.njk'), ctx)).errors[0]!.message, 'outside the unit folder');
});

test('an undefined variable names it, with a suggestion, at template line:col', async () => {
  const { errors } = await renderUnit(spec('web/typo.njk'), ctx);
  assert.is(errors.length, 1);
  assert.is(errors[0]!.message, 'undefined variable `prot` — did you mean `port`?');
  assert.is(errors[0]!.file, join(unitDir, 'web/typo.njk'));
  assert.is(errors[0]!.line, 2);
  assert.is(errors[0]!.column, 11);
});

test('undefined inside an expression is caught too, not rendered as NaN', async () => {
  const { errors } = await renderUnit(spec('web/sum.njk'), ctx);
  assert.match(errors[0]!.message, 'undefined variable `prot`');
  assert.is(errors[0]!.column, 11);
});

test('an undefined member names the path and suggests a sibling', async () => {
  const { errors } = await renderUnit(spec('web/nested.njk'), ctx);
  assert.is(errors[0]!.message, 'undefined value `host.cpu` — did you mean `host.cpus`?');
});

test('guarded uses (is defined, default, set, for) are fine', async () => {
  const { files, errors } = await renderUnit(spec('web/guarded.njk'), ctx);
  assert.equal(errors, []);
  assert.is(files[0]!.content, 'd112');
});

test('an error inside an included template points at that template', async () => {
  const e = (await renderUnit(spec('web/nested-inc.njk'), ctx)).errors[0]!;
  assert.is(e.file, join(unitDir, 'web/partials/bad.njk'));
  assert.is(`${e.line}:${e.column}`, '2:2');
  assert.is(e.message, 'undefined value `host.os.nme` — did you mean `host.os.name`?');
});

test('an included template is checked too, seeing its includer\'s names', async () => {
  const e = (await renderUnit(spec('web/inc-sum.njk'), ctx)).errors[0]!;
  assert.is(e.file, join(unitDir, 'web/partials/sum.njk'));
  assert.is(`${e.line}:${e.column} ${e.message}`, '2:19 undefined variable `prot` — did you mean `port`?');
});

test('an unknown filter is located; an unclosed tag points at the end of file; loop variables are named whole', async () => {
  const f = (await renderUnit(spec('web/filter.njk'), ctx)).errors[0]!;
  assert.is(`${f.line}:${f.column} ${f.message}`, '1:13 filter not found: nosuch');
  const eof = (await renderUnit(spec('web/eof.njk'), ctx)).errors[0]!;
  assert.is(`${eof.line}:${eof.column}`, '3:7');
  assert.is((await renderUnit(spec('web/local.njk'), ctx)).errors[0]!.message, 'undefined value `i.x.y`');
});

test('a syntax error points at the template line', async () => {
  const { errors } = await renderUnit(spec('web/syntax.njk'), ctx);
  assert.is(errors[0]!.file, join(unitDir, 'web/syntax.njk'));
  assert.is(errors[0]!.line, 2);
  assert.ok(errors[0]!.message.length > 0);
});

for (const [file, words] of [
  ['web/escape.njk', 'outside the unit folder'],
  ['web/abs.njk', 'absolute paths are not allowed'],
  ['web/link.njk', 'symlink'],
  ['web/missing.njk', 'not found'],
] as const) {
  test(`include ${file} is refused: ${words}`, async () => {
    const { files, errors } = await renderUnit(spec(file), ctx);
    assert.is(files.length, 0);
    assert.is(errors[0]!.code, 'E_TEMPLATE_PATH');
    assert.match(errors[0]!.message, words);
    assert.is(errors[0]!.file, join(unitDir, file));
  });
}

test('a template src outside the unit folder is refused at the unit file', async () => {
  const s = spec('web/typo.njk');
  s.templates[0]!.src = join(dir, 'outside.txt');
  const { errors } = await renderUnit(s, ctx);
  assert.is(errors[0]!.file, join(unitDir, 'web.yaml'));
  assert.is(errors[0]!.path, 'templates[0].src');
  assert.match(errors[0]!.message, 'outside the unit folder');
});

test('a runaway loop is stopped, not hung', async () => {
  const { errors } = await renderUnit(spec('web/loop.njk'), ctx);
  assert.match(errors[0]!.message, 'runaway loop');
});

test('all templates are reported, not only the first failure', async () => {
  const s = spec('web/typo.njk');
  s.templates.push({ ...s.templates[0]!, src: join(unitDir, 'web/syntax.njk') }, { ...s.templates[0]!, src: join(unitDir, 'web/rel.njk') });
  const { files, errors } = await renderUnit(s, ctx);
  assert.is(errors.length, 2);
  assert.is(files.length, 1);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
