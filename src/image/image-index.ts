/**
 * The store's index of images and names: the OCI layout's own index.json,
 * one manifest descriptor per name, the canonical reference in the
 * `org.opencontainers.image.ref.name` annotation; an image without a name
 * (dangling, like Docker's `<none>`) is a descriptor without it. Keeping the
 * names in index.json (not a separate refs file) means the store is a plain
 * OCI layout that skopeo and umoci read directly (`oci:<root>/images:NAME`).
 * These functions are pure: the store reads, edits and writes under a lock.
 */
import { MediaType, REF_NAME_ANNOTATION, type Descriptor, type ImageIndex } from './oci-types.js';

/** An index with no images. */
export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.index, manifests: [] };
}

/** The canonical name on a descriptor, if any. */
export function nameOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME_ANNOTATION];
}

/** The descriptor carrying `name`, if any. */
export function findByName(index: ImageIndex, name: string): Descriptor | undefined {
  return index.manifests.find((d) => nameOf(d) === name);
}

/** Every name pointing at the manifest `digest`. */
export function namesOf(index: ImageIndex, digest: string): string[] {
  return index.manifests.filter((d) => d.digest === digest).map(nameOf).filter((n): n is string => n !== undefined);
}

/** Distinct manifest digests in the index, in index order. */
export function digestsOf(index: ImageIndex): string[] {
  return [...new Set(index.manifests.map((d) => d.digest))];
}

function withoutName(d: Descriptor): Descriptor {
  const { annotations, ...rest } = d;
  const left = { ...(annotations ?? {}) };
  delete left[REF_NAME_ANNOTATION];
  return Object.keys(left).length > 0 ? { ...rest, annotations: left } : rest;
}

/** Keeps one unnamed entry for each digest that has lost all its names (a dangling image). */
function keepDangling(before: ImageIndex, manifests: Descriptor[]): Descriptor[] {
  const out = [...manifests];
  for (const d of before.manifests) {
    if (!out.some((x) => x.digest === d.digest)) out.push(withoutName(d));
  }
  return out;
}

/**
 * Points `name` at `descriptor`. A previous holder of the name that has no
 * other name stays as a dangling image (until pruned), as in Docker.
 */
export function setName(index: ImageIndex, name: string, descriptor: Descriptor): ImageIndex {
  const named: Descriptor = { ...withoutName(descriptor), annotations: { ...(descriptor.annotations ?? {}), [REF_NAME_ANNOTATION]: name } };
  const others = index.manifests.filter((d) => nameOf(d) !== name && !(d.digest === descriptor.digest && nameOf(d) === undefined));
  return { ...index, manifests: keepDangling(index, [...others, named]) };
}

/** Adds an image without a name, unless the digest is already present. */
export function addUnnamed(index: ImageIndex, descriptor: Descriptor): ImageIndex {
  if (index.manifests.some((d) => d.digest === descriptor.digest)) return index;
  return { ...index, manifests: [...index.manifests, withoutName(descriptor)] };
}

/** Removes one name; the image stays dangling if it had no other name. */
export function removeName(index: ImageIndex, name: string): ImageIndex {
  return { ...index, manifests: keepDangling(index, index.manifests.filter((d) => nameOf(d) !== name)) };
}

/** Removes an image and all its names. */
export function removeDigest(index: ImageIndex, digest: string): ImageIndex {
  return { ...index, manifests: index.manifests.filter((d) => d.digest !== digest) };
}

/** Manifest digests that have no name. */
export function danglingDigests(index: ImageIndex): string[] {
  return digestsOf(index).filter((digest) => namesOf(index, digest).length === 0);
}
