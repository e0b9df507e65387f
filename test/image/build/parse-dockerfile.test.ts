import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDockerfile } from '../../../src/image/build/parse-dockerfile.js';

const dir = new URL('../../fixtures/dockerfiles/', import.meta.url).pathname;

// Each fixture states its expectation in its first lines:
//   # expect-error: LINE:COL CODE message-substring   (+ optional `# hint: substring`)
//   # expect-ok: N stages
for (const name of readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort()) {
  test(`fixture ${name}`, () => {
    const text = readFileSync(dir + name, 'utf8');
    const res = parseDockerfile(text, name);
    const err = /^# expect-error: (\d+):(\d+) (\S+) (.+)$/m.exec(text);
    const ok = /^# expect-ok: (\d+) stages$/m.exec(text);
    const hint = /^# hint: (.+)$/m.exec(text);
    if (ok) {
      assert.equal(res.errors.map((e) => e.message), []);
      assert.is(res.dockerfile!.instructions.filter((i) => i.kind === 'FROM').length, Number(ok[1]));
      return;
    }
    assert.ok(err, `${name} has no expectation line`);
    const e = res.errors[0];
    assert.ok(e, 'expected an error');
    assert.is(res.dockerfile, undefined);
    assert.is(`${e.line}:${e.column}`, `${err[1]}:${err[2]}`, e.message);
    assert.is(e.code, err[3]);
    assert.ok(e.message.includes(err[4]!), `"${e.message}" lacks "${err[4]}"`);
    assert.is(e.file, name);
    if (hint) assert.ok(e.hint?.includes(hint[1]!), `hint "${e.hint}" lacks "${hint[1]}"`);
  });
}

test('instructions become typed data with positions and raw words', () => {
  const res = parseDockerfile(readFileSync(dir + 'full.Dockerfile', 'utf8'), 'full.Dockerfile');
  const df = res.dockerfile!;
  assert.equal(df.globalArgs.map((a) => a.args), [[{ key: 'BASE', value: 'busybox', pos: { line: 3, column: 5 } }]]);
  const [from, , env, , copy, , run] = df.instructions;
  assert.equal(from, { kind: 'FROM', pos: { line: 4, column: 1 }, text: 'FROM ${BASE} AS build', image: { text: '${BASE}', pos: { line: 4, column: 6 } }, alias: 'build' });
  assert.equal(env!.kind === 'ENV' && env!.pairs.map((p) => [p.key, p.value]), [['APP', '/app'], ['VERSION', '${VERSION}']]);
  assert.ok(copy!.kind === 'COPY');
  if (copy!.kind === 'COPY') {
    assert.equal(copy.sources.map((s) => s.text), ['src/']);
    assert.is(copy.dest.text, './src/');
    assert.is(copy.chown!.text, '1:1');
    assert.is(copy.chmod!.text, '644');
  }
  assert.equal(run!.kind === 'RUN' && run!.command, { form: 'shell', text: 'echo building $VERSION   && touch out' });
  assert.is(run!.text, 'RUN echo building $VERSION && touch out');
  const hc = df.instructions.find((i) => i.kind === 'HEALTHCHECK');
  assert.equal(hc!.kind === 'HEALTHCHECK' && hc!.command, { form: 'exec', argv: ['/out', '--check'] });
  assert.equal(hc!.kind === 'HEALTHCHECK' && hc!.flags.retries?.text, '3');
});

test('keywords are case-insensitive; the escape directive is honoured', () => {
  const res = parseDockerfile('# escape=`\nfrom busybox\nrun echo a `\n  b\n', 'D');
  assert.equal(res.errors, []);
  assert.equal(res.dockerfile!.escape, '`');
  const run = res.dockerfile!.instructions[1]!;
  assert.equal(run.kind === 'RUN' && run.command, { form: 'shell', text: 'echo a   b' });
});

test('continuation lines skip comments and blank lines, as Docker does', () => {
  const res = parseDockerfile('FROM a\nRUN echo a \\\n# comment\n  b \\\n\n  c\n', 'D');
  const run = res.dockerfile!.instructions[1]!;
  assert.is(run.text, 'RUN echo a b c');
  assert.equal(run.kind === 'RUN' && run.command, { form: 'shell', text: 'echo a   b   c' });
});

test('HEALTHCHECK NONE, ONBUILD restrictions and several errors at once', () => {
  const ok = parseDockerfile('FROM a\nHEALTHCHECK NONE\n', 'D');
  assert.equal(ok.dockerfile!.instructions[1], { kind: 'HEALTHCHECK', pos: { line: 2, column: 1 }, text: 'HEALTHCHECK NONE', command: 'NONE', flags: {} });
  const bad = parseDockerfile('FROM a AS x\nONBUILD FROM b\nFOO x\nHEALTHCHECK --interval=1s NONE\nRUN []\nFROM b AS X\n', 'D');
  assert.equal(bad.errors.map((e) => `${e.line}:${e.message}`), [
    '2:ONBUILD FROM is not allowed',
    '3:unknown instruction FOO',
    '4:HEALTHCHECK NONE takes no options or arguments',
    '5:RUN [] has no command',
    '6:duplicate stage name "x" (first at line 1)',
  ]);
});

test('unknown flags are refused with the flag position', () => {
  const res = parseDockerfile('FROM a\nCOPY --owner=1 a b\n', 'D');
  assert.is(res.errors[0]!.message, 'COPY has no option --owner');
  assert.is(res.errors[0]!.column, 6);
});

test.run();
