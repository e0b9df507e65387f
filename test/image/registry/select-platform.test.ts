import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../src/errors.js';
import { parseManifest } from '../../../src/image/registry/descriptor.js';
import { selectPlatform } from '../../../src/image/registry/select-platform.js';

const d = (n: string) => `sha256:${n.repeat(64)}`;
const index = {
  schemaVersion: 2 as const,
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('a'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('b'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
  ],
};

test('picks linux/amd64 by default', () => {
  assert.is(selectPlatform(index).digest, d('b'));
  assert.is(selectPlatform(index, { os: 'linux', architecture: 'arm64' }).digest, d('a'));
});

test('no match names what is offered', () => {
  try {
    selectPlatform(index, { os: 'windows', architecture: 'amd64' }, 'x:1');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, BerthError);
    assert.is((err as BerthError).code, 'E_PLATFORM_NOT_FOUND');
    assert.match((err as BerthError).message, 'linux/arm64/v8, linux/amd64');
  }
});

test('parseManifest tells index, OCI and Docker manifests apart', () => {
  const list = parseManifest(Buffer.from(JSON.stringify(index)), 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.ok('index' in list);
  const m = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'x', digest: d('c'), size: 2 }, layers: [] };
  const parsed = parseManifest(Buffer.from(JSON.stringify(m)), 'text/plain');
  assert.is(parsed.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.ok('manifest' in parsed);
});

test('parseManifest refuses schema 1, bad JSON and bad descriptors', () => {
  const code = (s: string, ct = '') => {
    try {
      parseManifest(Buffer.from(s), ct);
      return 'ok';
    } catch (err) {
      return (err as BerthError).code;
    }
  };
  assert.is(code('{"schemaVersion":1,"fsLayers":[]}'), 'E_MANIFEST_UNSUPPORTED');
  assert.is(code('nope'), 'E_MANIFEST_INVALID');
  assert.is(code(JSON.stringify({ schemaVersion: 2, config: { digest: 'md5:x', size: 1, mediaType: 'x' }, layers: [] }), 'application/vnd.oci.image.manifest.v1+json'), 'E_MANIFEST_INVALID');
});

test.run();
