/**
 * POST /v1/images/build/upload over a real TCP listener with ApiClient.upload
 * and a fake build service: the service sees the unpacked folder, progress
 * and errors name the client's paths (never the agent's temp folder), a
 * refused archive is an error line, and the temp folder is gone afterwards,
 * also when the client goes away half-way. The JSON route keeps a
 * Dockerfile error's file:line:col too.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Header } from 'tar';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiClient } from '../../src/api/client.js';
import type { ApiContext } from '../../src/api/api-context.js';
import { registerImageRoutes } from '../../src/api/routes/images.js';
import { buildApi } from '../../src/api/server.js';
import { ConfigError } from '../../src/errors.js';
import type { BuildImageOptions, BuildImageResult } from '../../src/image/build-exec/build-image.js';

type Line = Record<string, unknown>;
type BuildOpts = Omit<BuildImageOptions, 'store' | 'runner'>;

let root = '';
let app: FastifyInstance;
let client: ApiClient;
let behave: (o: BuildOpts) => Promise<BuildImageResult>;

/** A tar of plain files (path → content, mode). */
function tarOf(files: [path: string, data: string | Buffer, mode?: number][]): Buffer {
  const out: Buffer[] = [];
  for (const [path, content, mode] of files) {
    const data = Buffer.from(content);
    const block = Buffer.alloc(512);
    new Header({ path, type: 'File', mode: mode ?? 0o644, size: data.length, mtime: new Date(0) }).encode(block, 0);
    out.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

const contexts = () => (existsSync(join(root, 'build-contexts')) ? readdirSync(join(root, 'build-contexts')) : []);

async function upload(body: Readable, query = 'shownContext=./app&shownDockerfile=./app/Dockerfile'): Promise<Line[]> {
  const lines: Line[] = [];
  const s = client.upload<Line>(`/v1/images/build/upload?${query}`, body, 'application/x-tar', (v) => lines.push(v));
  await s.done.catch((err: unknown) => {
    if (!lines.some((l) => l.error || l.done)) throw err;
  });
  return lines;
}

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'bt-upload-route-'));
  const images = { build: (o: BuildOpts) => behave(o) } as unknown as ApiContext['images'];
  const ctx = { agent: {}, images, info: async () => ({ root }), uploadDir: () => '/nonexistent', log: () => undefined } as unknown as ApiContext;
  app = await buildApi(ctx, { routes: [registerImageRoutes] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  client = new ApiClient({ host: `tcp://127.0.0.1:${port}` });
});
test.after(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

test('the service builds from the unpacked folder; progress names the client path; the folder is removed', async () => {
  let seen: { dir: string; script: string; mode: number; dockerfile?: string } | undefined;
  behave = async (o) => {
    seen = { dir: o.contextDir, script: readFileSync(join(o.contextDir, 'run.sh'), 'utf8'), mode: statSync(join(o.contextDir, 'run.sh')).mode & 0o777, ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}) };
    o.onProgress?.({ type: 'warning', message: `reading ${o.contextDir}/run.sh` });
    return { ok: true, image: { names: ['app:v1'], digest: 'sha256:abc', id: 'abc' } as never, cached: 0, built: 1, containers: [] };
  };
  const lines = await upload(Readable.from([tarOf([['Dockerfile', 'FROM scratch\n'], ['run.sh', '#!/bin/sh\n', 0o755]])]), 'tag=app:v1&shownContext=./app');
  assert.ok(seen);
  assert.is(seen!.script, '#!/bin/sh\n');
  assert.is(seen!.mode, 0o755);
  assert.is(seen!.dockerfile, join(seen!.dir, 'Dockerfile'));
  assert.ok(seen!.dir.startsWith(join(root, 'build-contexts')));
  assert.equal(lines.find((l) => l.type === 'context')?.entries, 2);
  assert.is(lines.find((l) => l.type === 'warning')?.message, 'reading ./app/run.sh', 'the temp folder is never shown');
  assert.equal(lines[lines.length - 1], { done: true, image: 'app:v1', names: ['app:v1'], digest: 'sha256:abc', id: 'abc', cached: 0, built: 1 });
  assert.not.ok(existsSync(seen!.dir));
});

test('a Dockerfile error comes back with file:line:col naming the path the user typed, all errors listed', async () => {
  behave = async (o) => ({
    ok: false, containers: [],
    errors: [new ConfigError('E_DOCKERFILE', 'unknown instruction FRMO', { file: o.dockerfile!, line: 3, column: 1, path: 'FRMO' }, { hint: 'did you mean FROM?' }), new ConfigError('E_DOCKERFILE', 'second', { file: o.dockerfile!, line: 5, column: 2 })],
  });
  const lines = await upload(Readable.from([tarOf([['Dockerfile', 'FROM scratch\n']])]));
  const err = lines[lines.length - 1]!.error as Line;
  assert.is(err.code, 'E_DOCKERFILE');
  assert.is(err.file, './app/Dockerfile');
  assert.is(err.line, 3);
  assert.is(err.column, 1);
  assert.is(err.hint, 'did you mean FROM?');
  assert.equal((err.errors as Line[]).map((e) => `${e.file}:${e.line}`), ['./app/Dockerfile:3', './app/Dockerfile:5']);
  assert.equal(contexts(), []);
});

test('a refused archive is an error line (not a reset); nothing is built; the folder is removed', async () => {
  let built = false;
  behave = async () => {
    built = true;
    throw new Error('not reached');
  };
  // a large rest after the bad entry: the client still gets the answer
  const lines = await upload(Readable.from([tarOf([['../escape', 'x'], ['big', Buffer.alloc(4 * 1024 * 1024)]])]));
  const err = lines[lines.length - 1]!.error as Line;
  assert.is(err.code, 'E_BUILD_CONTEXT_UNSAFE');
  assert.match(String(err.message), /leaves the context folder/);
  assert.not.ok(built);
  assert.equal(contexts(), []);
});

test('the client going away mid-upload ends the upload and removes the folder', async () => {
  behave = async () => {
    throw new Error('not reached');
  };
  const body = new Readable({ read() {} });
  body.push(tarOf([['a.txt', 'x'.repeat(2000)]]).subarray(0, 1024));
  const s = client.upload<Line>('/v1/images/build/upload', body, 'application/x-tar', () => undefined);
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
    return ok();
  };
  assert.ok(await until(() => contexts().length === 1), 'the upload folder exists while receiving');
  s.stop();
  await s.done.catch(() => undefined);
  assert.ok(await until(() => contexts().length === 0), 'and is gone once the client left');
});

test('the body must be a tar; a dockerfile path may not leave the archive', async () => {
  const res = await app.inject({ method: 'POST', url: '/v1/images/build/upload?dockerfile=../x', headers: { 'content-type': 'application/x-tar' }, payload: tarOf([]) });
  assert.is(res.statusCode, 400);
  assert.is(res.json().code, 'E_BAD_REQUEST');
  const json = await app.inject({ method: 'POST', url: '/v1/images/build/upload', headers: { 'content-type': 'application/json' }, payload: '{}' });
  assert.is(json.statusCode, 400);
});

test('JSON build route: a Dockerfile error keeps file:line:col', async () => {
  behave = async (o) => ({ ok: false, containers: [], errors: [new ConfigError('E_DOCKERFILE', 'bad', { file: join(o.contextDir, 'Dockerfile'), line: 2, column: 4 })] });
  const lines: Line[] = [];
  await client.stream<Line>('/v1/images/build', (v) => lines.push(v), { context: '/srv/app' }).done;
  const err = lines[lines.length - 1]!.error as Line;
  assert.equal([err.file, err.line, err.column], ['/srv/app/Dockerfile', 2, 4]);
});

test.run();
