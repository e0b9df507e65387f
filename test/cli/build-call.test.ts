/**
 * buildViaAgent with a fake client: a unix agent gets the folder's path as
 * JSON, any other the packed context through `upload` (with the user's
 * paths for messages, and "sending context" progress on a terminal for a
 * big one); an error line comes back as the error it was, a Dockerfile
 * error with its file:line:col, the rest of the list printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiClient } from '../../src/api/client.js';
import { buildViaAgent, errorFromJson, PROGRESS_FROM_BYTES } from '../../src/cli/build-call.js';
import { ConfigError, formatError } from '../../src/errors.js';

type Line = Record<string, unknown>;
let dir = '';

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bt-build-call-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(PROGRESS_FROM_BYTES + 1024));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A terminal-like sink that keeps what was written. */
const sink = (isTTY: boolean) => {
  let text = '';
  return { out: { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream, text: () => text };
};

test('errorFromJson: a placed error is a ConfigError that formats as file:line:col', () => {
  const e = errorFromJson({ code: 'E_DOCKERFILE', message: 'unknown instruction FRMO', hint: 'did you mean FROM?', file: 'app/Dockerfile', line: 3, column: 1, path: 'FRMO' });
  assert.instance(e, ConfigError);
  assert.is(formatError(e), 'app/Dockerfile:3:1: FRMO: unknown instruction FRMO\n  hint: did you mean FROM?');
  const plain = errorFromJson({ code: 'E_BUILD_CONTEXT_TOO_BIG', message: 'too big' });
  assert.not.instance(plain, ConfigError);
  assert.is(plain.code, 'E_BUILD_CONTEXT_TOO_BIG');
});

test('a unix agent gets the absolute folder path as JSON', async () => {
  let sent: { path: string; body: unknown } | undefined;
  const client = {
    stream: (path: string, onValue: (v: Line) => void, body: unknown) => {
      sent = { path, body };
      onValue({ done: true, image: 'app:v1', digest: 'sha256:1' });
      return { done: Promise.resolve(), stop: () => undefined };
    },
  } as unknown as ApiClient;
  const done = await buildViaAgent(client, 'unix:///run/berth/berth.sock', { dir: 'ctx', tags: ['app:v1'], buildArgs: {}, noCache: false }, () => undefined);
  assert.equal(done, { done: true, image: 'app:v1', digest: 'sha256:1' } as never);
  assert.is(sent!.path, '/v1/images/build');
  assert.equal(sent!.body, { context: resolve('ctx'), tags: ['app:v1'], buildArgs: {}, noCache: false });
});

test('a TCP agent gets the tar (query: archive dockerfile, user paths, tags, args); a big one shows progress; errors come back placed', async () => {
  let url = '';
  let bytes = 0;
  const client = {
    upload: (path: string, body: NodeJS.ReadableStream, type: string, onValue: (v: Line) => void) => {
      url = path;
      assert.is(type, 'application/x-tar');
      const done = (async () => {
        for await (const c of body as AsyncIterable<Buffer>) bytes += c.length;
        onValue({ type: 'context', bytes, entries: 3 });
        onValue({ type: 'step-start', n: 1, total: 1, text: 'COPY . /' });
        onValue({ error: { code: 'E_DOCKERFILE', message: 'first', file: 'ctx/Dockerfile', line: 2, column: 1, errors: [{ code: 'E_DOCKERFILE', message: 'first', file: 'ctx/Dockerfile', line: 2, column: 1 }, { code: 'E_DOCKERFILE', message: 'second', file: 'ctx/Dockerfile', line: 4, column: 7 }] } });
      })();
      return { done, stop: () => undefined };
    },
  } as unknown as ApiClient;
  const events: string[] = [];
  const term = sink(true);
  const err = await buildViaAgent(client, 'tcp://10.0.0.5:7777', { dir, file: join(dir, 'Dockerfile'), tags: ['a:1', 'b:2'], buildArgs: { V: '1=2' }, noCache: true }, (e) => events.push(e.type), term.out).catch((e: unknown) => e);
  const q = new URL(url, 'http://x').searchParams;
  assert.is(new URL(url, 'http://x').pathname, '/v1/images/build/upload');
  assert.is(q.get('dockerfile'), 'Dockerfile');
  assert.is(q.get('shownContext'), dir);
  assert.is(q.get('shownDockerfile'), join(dir, 'Dockerfile'));
  assert.equal(q.getAll('tag'), ['a:1', 'b:2']);
  assert.equal(q.getAll('buildArg'), ['V=1=2']);
  assert.is(q.get('noCache'), 'true');
  assert.ok(bytes > PROGRESS_FROM_BYTES, 'the whole context was streamed');
  assert.match(term.text(), /sending context \d+\.\d MB of 8\.4 MB/);
  assert.match(term.text(), /sent context 8\.\d MB in \d+\.\ds\n/);
  assert.equal(events, ['step-start'], 'the context line is the meter’s, the rest goes to the view');
  assert.instance(err, ConfigError);
  assert.is((err as ConfigError).location, 'ctx/Dockerfile:2:1');
  assert.match(term.text(), 'berth: ctx/Dockerfile:4:7: second');
});

test('a small context over TCP prints no upload progress', async () => {
  const small = mkdtempSync(join(tmpdir(), 'bt-build-call-small-'));
  writeFileSync(join(small, 'Dockerfile'), 'FROM scratch\n');
  const client = {
    upload: (_p: string, body: NodeJS.ReadableStream, _t: string, onValue: (v: Line) => void) => ({
      done: (async () => {
        for await (const _c of body as AsyncIterable<Buffer>) void _c;
        onValue({ type: 'context', bytes: 1, entries: 1 });
        onValue({ done: true, image: 'x', digest: 'sha256:2' });
      })(),
      stop: () => undefined,
    }),
  } as unknown as ApiClient;
  const term = sink(false);
  try {
    const done = await buildViaAgent(client, 'tcp://h:1', { dir: small, tags: [], buildArgs: {}, noCache: false }, () => undefined, term.out);
    assert.is(done.digest, 'sha256:2');
    assert.is(term.text(), '');
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
});

test.run();
