import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseWwwAuthenticate } from '../../../src/image/registry/www-authenticate.js';
import { nextLink } from '../../../src/image/registry/link-header.js';

test('bearer challenge with quoted params, commas inside quotes', () => {
  const c = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"');
  assert.equal(c, { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' } });
});

test('basic challenge, unquoted token and escapes', () => {
  assert.equal(parseWwwAuthenticate('Basic realm="a \\"b\\""'), { scheme: 'basic', params: { realm: 'a "b"' } });
  assert.equal(parseWwwAuthenticate('bearer realm=x, service=y'), { scheme: 'bearer', params: { realm: 'x', service: 'y' } });
  assert.is(parseWwwAuthenticate(''), undefined);
  assert.is(parseWwwAuthenticate(null), undefined);
});

test('Link rel=next, relative and absolute, last page', () => {
  const base = 'http://127.0.0.1:5000/v2/_catalog?n=1';
  assert.is(nextLink('</v2/_catalog?last=a&n=1>; rel="next"', base), 'http://127.0.0.1:5000/v2/_catalog?last=a&n=1');
  assert.is(nextLink('<https://r.example/v2/x/tags/list?n=2&last=b>; rel=next', base), 'https://r.example/v2/x/tags/list?n=2&last=b');
  assert.is(nextLink('</a>; rel="prev", </b>; rel="next"', base), 'http://127.0.0.1:5000/b');
  assert.is(nextLink('</a>; rel="prev"', base), undefined);
  assert.is(nextLink(null, base), undefined);
});

test.run();
