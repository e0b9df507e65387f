import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { RegistryHttp } from '../../../src/image/registry/registry-http.js';

/** A scripted registry + token service behind a fake fetch; no network. */
function fakeRegistry(opts: { expiresIn?: number } = {}) {
  const calls: string[] = [];
  let tokens = 0;
  let flaky = 0;
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const auth = (init?.headers as Record<string, string>)?.authorization ?? '';
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search} ${auth.split(' ')[0] ?? ''}`);
    if (url.pathname === '/token') {
      if (auth !== `Basic ${Buffer.from('u:p').toString('base64')}`) return new Response('{"errors":[{"code":"DENIED","message":"nope"}]}', { status: 401 });
      tokens++;
      return Response.json({ token: `t${tokens}`, expires_in: opts.expiresIn ?? 300 });
    }
    if (!auth.startsWith('Bearer t')) {
      return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"' } });
    }
    if (url.pathname.includes('flaky') && flaky++ < 2) return new Response('oops', { status: 503 });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  return { calls, fetchFn, tokenCount: () => tokens };
}

test('bearer flow: challenge → token with basic creds → retry; cached per scope until expiry', async () => {
  let now = 1_000_000;
  const f = fakeRegistry({ expiresIn: 60 });
  const http = new RegistryHttp({ host: 'reg.example', credentials: { username: 'u', password: 'p' }, fetch: f.fetchFn, now: () => now, sleep: async () => undefined });
  const get = (repo: string) => http.request({ method: 'GET', path: `/v2/${repo}/manifests/x`, scopes: [`repository:${repo}:pull`], ctx: { repo, what: 'manifest' } });
  await get('a');
  await get('a');
  assert.is(f.tokenCount(), 1);
  assert.match(f.calls.find((c) => c.includes('/token'))!, 'service=reg&scope=repository%3Aa%3Apull Basic');
  await get('b');
  assert.is(f.tokenCount(), 2, 'another scope, another token');
  now += 61_000;
  await get('a');
  assert.is(f.tokenCount(), 3, 'expired tokens are renewed');
});

test('bearer flow: refused credentials are E_REGISTRY_AUTH with the service message', async () => {
  const f = fakeRegistry();
  const http = new RegistryHttp({ host: 'reg.example', credentials: { username: 'u', password: 'bad' }, fetch: f.fetchFn });
  const err = await http.request({ method: 'GET', path: '/v2/a/manifests/x', scopes: ['repository:a:pull'], ctx: { what: 'manifest' } }).then(() => undefined, (e: unknown) => e);
  assert.instance(err, BerthError);
  assert.is((err as BerthError).code, 'E_REGISTRY_AUTH');
  assert.match((err as BerthError).message, 'DENIED: nope');
});

test('5xx: GET retried with doubling backoff; POST is not retried', async () => {
  const f = fakeRegistry();
  const waits: number[] = [];
  const http = new RegistryHttp({ host: 'reg.example', credentials: { username: 'u', password: 'p' }, fetch: f.fetchFn, backoffMs: 10, sleep: async (ms) => void waits.push(ms) });
  const res = await http.request({ method: 'GET', path: '/v2/flaky/manifests/x', scopes: [], ctx: { what: 'manifest' } });
  assert.is(res.status, 200);
  assert.equal(waits, [10, 20]);
  const f2 = fakeRegistry();
  const http2 = new RegistryHttp({ host: 'reg.example', credentials: { username: 'u', password: 'p' }, fetch: f2.fetchFn, sleep: async () => undefined });
  const post = await http2.request({ method: 'POST', path: '/v2/flaky/blobs/uploads/', scopes: [], ctx: { what: 'upload' } }).then(() => 'ok', (e: BerthError) => e.code);
  assert.is(post, 'E_REGISTRY_UNAVAILABLE');
  assert.is(f2.calls.filter((c) => c.startsWith('POST') && c.endsWith('Bearer')).length, 1);
});

test('https is the default, even for localhost; insecure means http', () => {
  assert.is(new RegistryHttp({ host: 'localhost:5000' }).base, 'https://localhost:5000');
  assert.is(new RegistryHttp({ host: '127.0.0.1:5000', insecure: true }).base, 'http://127.0.0.1:5000');
  assert.is(new RegistryHttp({ host: 'docker.io' }).base, 'https://registry-1.docker.io');
});

test.run();
