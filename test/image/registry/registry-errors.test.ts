import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errorFromNetwork, errorFromStatus, parseErrorBody } from '../../../src/image/registry/registry-errors.js';

const host = 'r.example:5000';
const body = (code: string, message: string) => JSON.stringify({ errors: [{ code, message }] });

test('the registry JSON error body goes into the message', () => {
  assert.equal(parseErrorBody(body('MANIFEST_UNKNOWN', 'manifest unknown')), [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]);
  assert.equal(parseErrorBody('<html>'), []);
  const e = errorFromStatus(404, body('MANIFEST_UNKNOWN', 'manifest unknown'), { host, repo: 'a/b', reference: 'v9', what: 'manifest' });
  assert.is(e.code, 'E_TAG_NOT_FOUND');
  assert.is(e.message, 'tag v9 not found in r.example:5000/a/b (registry said: MANIFEST_UNKNOWN: manifest unknown)');
});

test('status table', () => {
  const cases: [number, string, Parameters<typeof errorFromStatus>[2], string][] = [
    [401, '', { host, what: 'manifest' }, 'E_REGISTRY_AUTH'],
    [403, '', { host, what: 'upload' }, 'E_REGISTRY_DENIED'],
    [404, body('NAME_UNKNOWN', 'x'), { host, repo: 'a', reference: 'v1', what: 'manifest' }, 'E_IMAGE_NOT_FOUND'],
    [404, '', { host, repo: 'a', reference: 'sha256:ab', what: 'manifest' }, 'E_IMAGE_NOT_FOUND'],
    [404, '', { host, what: 'catalog' }, 'E_CATALOG_UNAVAILABLE'],
    [404, '', { host, repo: 'a', reference: 'sha256:ab', what: 'blob' }, 'E_BLOB_NOT_FOUND'],
    [405, '', { host, repo: 'a', what: 'delete' }, 'E_REGISTRY_UNSUPPORTED'],
    [429, '', { host, what: 'manifest' }, 'E_REGISTRY_RATE_LIMITED'],
    [502, '', { host, what: 'blob' }, 'E_REGISTRY_UNAVAILABLE'],
    [400, body('DIGEST_INVALID', 'x'), { host, what: 'upload' }, 'E_REGISTRY_REJECTED'],
  ];
  for (const [status, b, ctx, code] of cases) assert.is(errorFromStatus(status, b, ctx).code, code, `${status} ${ctx.what}`);
  assert.match(errorFromStatus(401, '', { host, what: 'ping' }).message, 'login needed: berth login r.example:5000');
  assert.match(errorFromStatus(405, '', { host, what: 'delete' }).hint ?? '', 'delete');
});

test('network failures: refused, TLS on localhost, DNS', () => {
  const wrap = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  const refused = errorFromNetwork(wrap('ECONNREFUSED'), '127.0.0.1:5000', 'https');
  assert.is(refused.code, 'E_REGISTRY_UNREACHABLE');
  assert.match(refused.hint ?? '', '--insecure');
  const tls = errorFromNetwork(wrap('ERR_SSL_WRONG_VERSION_NUMBER'), 'localhost:5000', 'https');
  assert.is(tls.code, 'E_REGISTRY_TLS');
  assert.match(tls.hint ?? '', 'not insecure by default');
  assert.is(errorFromNetwork(wrap('DEPTH_ZERO_SELF_SIGNED_CERT'), 'r.example', 'https').code, 'E_REGISTRY_TLS');
  assert.match(errorFromNetwork(wrap('ENOTFOUND'), 'nohost.example', 'https').message, 'cannot resolve');
});

test.run();
