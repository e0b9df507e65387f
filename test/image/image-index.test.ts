import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as idx from '../../src/image/image-index.js';
import type { Descriptor } from '../../src/image/oci-types.js';

const d = (n: string): Descriptor => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${n.repeat(64)}`, size: 10 });
const A = d('a');
const B = d('b');

test('setName names an image; the same name again points elsewhere and leaves the old image dangling', () => {
  let i = idx.setName(idx.emptyIndex(), 'x:1', A);
  assert.equal(idx.namesOf(i, A.digest), ['x:1']);
  i = idx.setName(i, 'x:1', B);
  assert.equal(idx.namesOf(i, B.digest), ['x:1']);
  assert.equal(idx.namesOf(i, A.digest), []);
  assert.equal(idx.danglingDigests(i), [A.digest]);
  assert.is(i.manifests.length, 2);
});

test('a second name does not duplicate; removing one name keeps the other and no dangling entry', () => {
  let i = idx.setName(idx.emptyIndex(), 'x:1', A);
  i = idx.setName(i, 'y:2', A);
  assert.equal(idx.namesOf(i, A.digest).sort(), ['x:1', 'y:2']);
  i = idx.removeName(i, 'x:1');
  assert.equal(idx.namesOf(i, A.digest), ['y:2']);
  assert.equal(idx.danglingDigests(i), []);
  i = idx.removeName(i, 'y:2');
  assert.equal(idx.danglingDigests(i), [A.digest], 'last name removed: image stays, unnamed');
  assert.is(idx.nameOf(i.manifests[0]!), undefined);
});

test('naming a dangling image replaces its unnamed entry; addUnnamed is idempotent', () => {
  let i = idx.addUnnamed(idx.emptyIndex(), A);
  i = idx.addUnnamed(i, A);
  assert.is(i.manifests.length, 1);
  i = idx.setName(i, 'x:1', A);
  assert.is(i.manifests.length, 1);
  assert.equal(idx.danglingDigests(i), []);
});

test('removeDigest drops every name of an image', () => {
  let i = idx.setName(idx.setName(idx.emptyIndex(), 'x:1', A), 'y:1', A);
  i = idx.setName(i, 'z:1', B);
  i = idx.removeDigest(i, A.digest);
  assert.equal(i.manifests.map(idx.nameOf), ['z:1']);
  assert.equal(idx.digestsOf(i), [B.digest]);
});

test('findByName and other annotations survive renaming', () => {
  const withNote = { ...A, annotations: { note: 'kept' } };
  const i = idx.setName(idx.emptyIndex(), 'x:1', withNote);
  assert.equal(idx.findByName(i, 'x:1')?.annotations, { note: 'kept', 'org.opencontainers.image.ref.name': 'x:1' });
  assert.is(idx.findByName(i, 'nope'), undefined);
});

test.run();
