/**
 * parseUnitFile: YAML errors and schema errors become ConfigErrors with a
 * position, a key path and a message a person understands.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUnitFile } from '../../src/config/parse-unit-file.js';
import { ConfigError } from '../../src/errors.js';

const HEAD = 'name: web\nkind: service\nimage: { from: busybox }\n';

interface Case {
  name: string;
  body: string;
  code: string;
  at: string; // line:col
  path: string;
  message?: RegExp;
  hint?: RegExp;
}

const cases: Case[] = [
  { name: 'unknown top-level key, with a suggestion', body: 'restat: 1\n', code: 'E_UNKNOWN_KEY', at: '4:1', path: 'restat', message: /^unknown key `restat` — did you mean `restart`\?$/ },
  { name: 'unknown key without a near match lists the allowed keys', body: 'restart:\n  policy: always\n  zzzzzz: 1\n', code: 'E_UNKNOWN_KEY', at: '6:3', path: 'restart.zzzzzz', message: /^unknown key `zzzzzz`$/, hint: /allowed in `restart`: policy, delay/ },
  { name: 'enum', body: 'restart: { policy: sometimes }\n', code: 'E_ENUM', at: '4:20', path: 'restart.policy', message: /^`policy` must be one of no, on-failure, always, unless-stopped \(got `sometimes`\)$/ },
  { name: 'enum with a near miss', body: 'restart: { policy: alway }\n', code: 'E_ENUM', at: '4:20', path: 'restart.policy', message: /did you mean `always`\?/ },
  { name: 'duration', body: 'restart: { policy: always, delay: 5x }\n', code: 'E_DURATION', at: '4:35', path: 'restart.delay', message: /^`delay` is not a duration: use e\.g\. 100ms, 5s, 1m$/ },
  { name: 'duration given as a bare number', body: 'stop: { timeout: 10 }\n', code: 'E_DURATION', at: '4:18', path: 'stop.timeout', message: /got number 10/ },
  { name: 'size', body: 'resources: { memory: 64Mx }\n', code: 'E_SIZE', at: '4:22', path: 'resources.memory', message: /^`memory` is not a size: use e\.g\. 64Mi, 1G$/ },
  { name: 'size as a negative number', body: 'resources: { memory: -1 }\n', code: 'E_RANGE', at: '4:22', path: 'resources.memory', message: />= 0/ },
  { name: 'tmpfs neither boolean nor size', body: 'volumes: [ { tmpfs: lots, path: /t } ]\n', code: 'E_SIZE', at: '4:21', path: 'volumes[0].tmpfs' },
  { name: 'wrong type', body: 'resources: { cpus: many }\n', code: 'E_TYPE', at: '4:20', path: 'resources.cpus', message: /^`cpus` must be a number \(got `many`\)$/ },
  { name: 'a number where text is wanted: quote it', body: 'run: { user: 1000 }\n', code: 'E_TYPE', at: '4:14', path: 'run.user', message: /must be a string \(got number 1000\)/, hint: /^quote it: "1000"$/ },
  { name: 'an unquoted file mode', body: 'templates: [{src: a, dest: /a, mode: 0644}]\n', code: 'E_MODE', at: '4:38', path: 'templates[0].mode', hint: /quote it/ },
  { name: 'a compose habit: after as a list', body: 'after: [db]\n', code: 'E_TYPE', at: '4:8', path: 'after', message: /must be a mapping \(got a list\)/, hint: /after: \{db: healthy\}/ },
  { name: 'whole number', body: 'resources: { pids: 1.5 }\n', code: 'E_TYPE', at: '4:20', path: 'resources.pids', message: /whole number/ },
  { name: 'range', body: 'resources: { cpus: 0 }\n', code: 'E_RANGE', at: '4:20', path: 'resources.cpus', message: /must be > 0 \(got number 0\)/ },
  { name: 'command item of the wrong type points at the item', body: 'run: { command: [echo, 1] }\n', code: 'E_TYPE', at: '4:24', path: 'run.command[1]', message: /`command\[1\]` must be a string/ },
  { name: 'command of no fitting type: one line for the union', body: 'run: { command: 5 }\n', code: 'E_TYPE', at: '4:17', path: 'run.command', message: /^`command` must be a list of strings or a string \(got number 5\)$/ },
  { name: 'empty command', body: 'run: { command: [] }\n', code: 'E_EMPTY', at: '4:17', path: 'run.command' },
  { name: 'env variable name', body: 'run: { env: { 1BAD: x } }\n', code: 'E_NAME', at: '4:15', path: 'run.env.1BAD' },
  { name: 'relative workdir', body: 'run: { workdir: app }\n', code: 'E_PATH', at: '4:17', path: 'run.workdir', hint: /start it with \// },
  { name: 'port mapping', body: 'network: { ports: [http] }\n', code: 'E_PORT', at: '4:20', path: 'network.ports[0]', hint: /HOST:CONTAINER/ },
  { name: 'signal', body: 'stop: { signal: term }\n', code: 'E_SIGNAL', at: '4:17', path: 'stop.signal' },
  { name: 'required key of a nested mapping', body: 'restart: { delay: 1s }\n', code: 'E_REQUIRED', at: '4:1', path: 'restart.policy', message: /`restart` needs `policy`/ },
  { name: 'key given no value', body: 'restart:\n  policy:\n', code: 'E_ENUM', at: '5:3', path: 'restart.policy', message: /got nothing/ },
  { name: 'mapping expected', body: 'restart: always\n', code: 'E_TYPE', at: '4:10', path: 'restart', message: /must be a mapping \(got `always`\)/ },
  { name: 'duplicate key', body: 'image: { from: alpine }\n', code: 'E_DUPLICATE_KEY', at: '4:1', path: '' },
  { name: 'YAML syntax', body: 'run: { command: [a, b }\n', code: 'E_YAML', at: '4:23', path: '' },
  { name: 'two documents', body: '---\nname: other\n', code: 'E_MULTIPLE_DOCS', at: '4:1', path: '' },
  { name: 'an unresolved tag', body: 'description: !custom x\n', code: 'E_YAML', at: '4:14', path: '', message: /Unresolved tag: !custom$/, hint: /remove the tag/ },
  { name: 'an unclosed quote points at the opening quote', body: 'description: "busy\nrun: {}\n', code: 'E_YAML', at: '4:14', path: '', message: /^this " is never closed$/ },
  { name: 'a tab for indentation', body: 'restart:\n\tpolicy: always\n', code: 'E_YAML', at: '5:1', path: '' },
];

for (const c of cases) {
  test(c.name, () => {
    const { unit, errors } = parseUnitFile(HEAD + c.body, 'units/web.yaml');
    assert.is(unit, undefined);
    const found = errors.find((e) => e.code === c.code);
    assert.ok(found, `no ${c.code} in ${JSON.stringify(errors.map((e) => e.toJSON()))}`);
    assert.instance(found, ConfigError);
    assert.is(`${found.line}:${found.column}`, c.at);
    assert.is(found.path, c.path);
    assert.is(found.file, 'units/web.yaml');
    if (c.message) assert.match(found.message, c.message);
    if (c.hint) assert.match(found.hint ?? '', c.hint);
  });
}

test('a valid unit parses to its data and no errors', () => {
  const { unit, errors } = parseUnitFile(`${HEAD}restart: { policy: "no" }\n`, 'web.yaml');
  assert.equal(errors, []);
  assert.is(unit?.name, 'web');
  assert.is(unit?.restart?.policy, 'no'); // YAML 1.2: a bare no is a string too
});

test('every problem in a file is reported in one run', () => {
  const text = `${HEAD}restat: 1\nresources: { memory: 1X, cpus: x }\nschedule: { cron: "* * * * *" }\n`;
  const codes = parseUnitFile(text, 'web.yaml').errors.map((e) => e.code).sort();
  assert.equal(codes, ['E_KIND_KEY', 'E_SIZE', 'E_TYPE', 'E_UNKNOWN_KEY']);
});

test('one union failure gives one line, not one per branch', () => {
  const { errors } = parseUnitFile(`${HEAD}restart: { policy: sometimes }\n`, 'web.yaml');
  assert.is(errors.length, 1);
});

test('an alias bomb is refused, not expanded', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
  const { errors } = parseUnitFile(`${bomb}\nname: web\nkind: service\n`, 'web.yaml');
  assert.ok(errors.length > 0);
  assert.ok(errors.every((e) => e instanceof ConfigError && e.line >= 1));
});

test.run();
