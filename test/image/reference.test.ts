import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { familiarReference, formatReference, normalizeReference, parseReference } from '../../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

const cases: Array<[string, string, string]> = [
  // input, canonical, familiar
  ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
  ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['team/app:v1', 'docker.io/team/app:v1', 'team/app:v1'],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
  ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest', '127.0.0.1:5000/app:latest'],
  ['registry.example.com/a/b/c:1.0-rc_1', 'registry.example.com/a/b/c:1.0-rc_1', 'registry.example.com/a/b/c:1.0-rc_1'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
  [`host:5000/app:v1@${D}`, `host:5000/app:v1@${D}`, `host:5000/app:v1@${D}`],
  ['my-app__x.y', 'docker.io/library/my-app__x.y:latest', 'my-app__x.y:latest'],
];

for (const [input, canonical, familiar] of cases) {
  test(`parses ${input}`, () => {
    const r = parseReference(input);
    assert.is(formatReference(r), canonical);
    assert.is(familiarReference(r), familiar);
    assert.is(normalizeReference(canonical), canonical, 'canonical form is a fixed point');
  });
}

test('a digest alone leaves the tag unset; a port is not a tag', () => {
  assert.is(parseReference(`app@${D}`).tag, undefined);
  const r = parseReference('localhost:5000/app');
  assert.equal(r, { domain: 'localhost:5000', path: 'app', tag: 'latest' });
});

for (const bad of ['', 'Busybox', 'busybox:', 'busybox:-x', 'a//b', '-app', 'app@sha256:xyz', ':tag', 'app:' + 'x'.repeat(129), 'app_', 'team/UPPER']) {
  test(`rejects "${bad}" with E_BAD_REFERENCE and a hint`, () => {
    try {
      parseReference(bad);
      assert.unreachable(`accepted ${bad}`);
    } catch (err) {
      const e = err as { code?: string; hint?: string };
      assert.is(e.code, 'E_BAD_REFERENCE');
      assert.ok(e.hint?.includes('NAME[:TAG]'));
    }
  });
}

test.run();
