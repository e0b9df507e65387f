/**
 * The API app in-process (fastify inject) on a stub agent: unknown routes,
 * bad requests and agent errors all answer JSON with an E_ code; a 400 names
 * the field and why; a token guards every route.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../src/api/api-context.js';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, listenTcp, listenUnix } from '../../src/api/server.js';
import { BerthError } from '../../src/errors.js';

const logged: string[] = [];
const agent = {
  objects: new Map(),
  units: new Map(),
  list: () => [{ name: 'web', kind: 'service', isolation: 'process', state: 'running', desired: 'up', restarts: 0, ports: [], pid: 12 }],
  get: (name: string) => {
    if (name !== 'web') throw new BerthError('E_UNIT_NOT_FOUND', `no unit named ${name}`, { hint: 'known units: web' });
    return { name, spec: { name }, files: [] };
  },
  inspectInstance: async () => undefined,
};
const ctx = { agent, info: async () => ({}), uploadDir: () => '/nonexistent', log: (l: string) => logged.push(l) } as unknown as ApiContext;
let app: FastifyInstance;
let guarded: FastifyInstance;

test.before(async () => {
  app = await buildApi(ctx);
  guarded = await buildApi(ctx, { token: 'sekrit' });
});
test.after(async () => {
  await app.close();
  await guarded.close();
});

const E_CODE = /^E_[A-Z0-9_]+$/;
async function errorOf(a: FastifyInstance, method: 'GET' | 'POST', url: string, body?: string, headers: Record<string, string> = {}) {
  const res = await a.inject({ method, url, ...(body !== undefined ? { payload: body, headers: { 'content-type': 'application/json', ...headers } } : { headers }) });
  assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url} answers JSON`);
  const json = res.json() as { code: string; message: string; field?: string; hint?: string };
  assert.match(json.code, E_CODE, `${method} ${url}: ${res.body}`);
  assert.type(json.message, 'string');
  return { status: res.statusCode, ...json };
}

test('unknown route: 404 JSON naming the route', async () => {
  const e = await errorOf(app, 'GET', '/v1/nope?x=1');
  assert.is(e.status, 404);
  assert.is(e.code, 'E_NOT_FOUND');
  assert.match(e.message, 'GET /v1/nope');
});

test('bad path parameter: 400 naming params.name and the rule', async () => {
  const e = await errorOf(app, 'GET', '/v1/units/Not_Valid');
  assert.is(e.status, 400);
  assert.is(e.code, 'E_BAD_REQUEST');
  assert.is(e.field, 'params.name');
  assert.match(e.message, /pattern/);
});

test('unknown action: 400 listing the allowed ones', async () => {
  const e = await errorOf(app, 'POST', '/v1/units/web/frob', '{}');
  assert.is(e.status, 400);
  assert.is(e.field, 'params.action');
  assert.match(e.message, 'start, stop, restart, reload, pause, unpause, reset');
});

test('body: a missing field, a wrong type, an unknown field, not JSON', async () => {
  let e = await errorOf(app, 'POST', '/v1/units/web/exec', '{}');
  assert.is(e.status, 400);
  assert.is(e.field, 'body.argv');
  assert.match(e.message, /required/);
  e = await errorOf(app, 'POST', '/v1/units/web/exec', '{"argv":[]}');
  assert.is(e.field, 'body.argv');
  assert.match(e.message, /fewer than 1/);
  e = await errorOf(app, 'POST', '/v1/units/web/exec', '{"argv":["x"],"timeoutMs":"soon"}');
  assert.is(e.field, 'body.timeoutMs');
  assert.match(e.message, /integer/);
  e = await errorOf(app, 'POST', '/v1/down', '{"unitz":[]}');
  assert.is(e.status, 400);
  assert.is(e.field, 'body.unitz');
  e = await errorOf(app, 'POST', '/v1/apply', '{nope');
  assert.is(e.status, 400);
  assert.is(e.field, 'body');
  assert.match(e.message, /JSON/);
});

test('bad query: 400 naming querystring.since', async () => {
  const e = await errorOf(app, 'GET', '/v1/events?since=yesterday');
  assert.is(e.status, 400);
  assert.is(e.field, 'querystring.since');
});

test('an agent error keeps its code, hint and status', async () => {
  const e = await errorOf(app, 'GET', '/v1/units/ghost');
  assert.is(e.status, 404);
  assert.is(e.code, 'E_UNIT_NOT_FOUND');
  assert.is(e.hint, 'known units: web');
});

test('responses go through their schema and keep every field', async () => {
  const res = await app.inject({ method: 'GET', url: '/v1/units' });
  assert.equal(res.json(), agent.list());
});

test('token: none or wrong is 401 JSON, logged once per request; the right one passes', async () => {
  logged.length = 0;
  let e = await errorOf(guarded, 'GET', '/v1/units');
  assert.is(e.status, 401);
  assert.is(e.code, 'E_UNAUTHORIZED');
  e = await errorOf(guarded, 'GET', '/v1/nope', undefined, { authorization: 'Bearer wrong' });
  assert.is(e.status, 401, 'an unknown route is 401 too: nothing leaks without the token');
  assert.is(logged.length, 2);
  assert.match(logged[0]!, /401 GET \/v1\/units .*no token/);
  assert.match(logged[1]!, /wrong token/);
  assert.not.match(logged.join(), /sekrit/);
  const ok = await guarded.inject({ method: 'GET', url: '/v1/units', headers: { authorization: 'Bearer sekrit' } });
  assert.is(ok.statusCode, 200);
  assert.is(logged.length, 2);
});

test('a route that sends its own error object still answers {code, message} with its status', async () => {
  const extra = await buildApi(ctx, { routes: [(a) => void a.get('/v1/own-error', async (_q, r) => r.status(409).send({ message: 'busy' }))] });
  try {
    const res = await extra.inject({ method: 'GET', url: '/v1/own-error' });
    assert.is(res.statusCode, 409);
    assert.equal(res.json(), { code: 'E_CONFLICT', message: 'busy' });
  } finally {
    await extra.close();
  }
});

test('no TCP listener without a token', async () => {
  const err = await listenTcp(app, 'tcp://127.0.0.1:0').catch((e: { code: string }) => e);
  assert.is((err as { code: string }).code, 'E_NO_TOKEN');
});

test('unix socket: 0660; a stale file is replaced, a live agent is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-sock-'));
  const path = join(dir, 'b.sock');
  const other = createServer();
  const fresh = await buildApi(ctx);
  try {
    writeFileSync(path, 'stale');
    await listenUnix(fresh, path);
    assert.is(statSync(path).mode & 0o777, 0o660);
    await fresh.close();
    await new Promise<void>((r) => other.listen(path, r));
    const second = await buildApi(ctx);
    const err = await listenUnix(second, path).catch((e: { code: string }) => e);
    await second.close();
    assert.is((err as { code: string }).code, 'E_AGENT_RUNNING');
  } finally {
    other.close();
    await fresh.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
