/**
 * What an image is made of, read from its blobs: the manifest (following an
 * image index), the config, and the sets of blobs and layer diffIDs it
 * needs. Used by resolve and by garbage collection.
 */
import type { BlobStore } from './blob-store.js';
import { badImage } from './image-errors.js';
import type { Image } from './image-views.js';
import { hostArchitecture, type Descriptor, type ImageConfig, type ImageIndex, type Manifest } from './oci-types.js';
import type { Reachable } from './store-gc.js';

/** Reads a manifest (following an image index to this host's platform) and its config, verified. */
export async function readImage(blobs: BlobStore, descriptor: Descriptor, ref: string, names: string[]): Promise<Image> {
  let desc = descriptor;
  let raw = await blobs.readJson<Manifest & Partial<ImageIndex>>(desc.digest);
  if (Array.isArray(raw.manifests)) {
    const arch = hostArchitecture();
    const present = [];
    for (const m of raw.manifests) if (await blobs.has(m.digest)) present.push(m);
    const pick = present.find((m) => m.platform?.architecture === arch && m.platform.os === 'linux') ?? present[0];
    if (!pick) throw badImage(`image index ${desc.digest} has no manifest in the store`);
    desc = pick;
    raw = await blobs.readJson<Manifest & Partial<ImageIndex>>(desc.digest);
  }
  const manifest = raw as Manifest;
  if (!manifest.config || !Array.isArray(manifest.layers)) throw badImage(`blob ${desc.digest} is not an image manifest`);
  const config = await blobs.readJson<ImageConfig>(manifest.config.digest);
  if (config.rootfs?.diff_ids?.length !== manifest.layers.length) {
    throw badImage(`image ${descriptor.digest}: ${manifest.layers.length} layers but ${config.rootfs?.diff_ids?.length ?? 0} diff_ids`);
  }
  return { ref, digest: descriptor.digest, id: manifest.config.digest, manifest, config, names };
}

async function addManifest(blobs: BlobStore, digest: string, into: Reachable): Promise<void> {
  into.blobs.add(digest);
  const raw = await blobs.readJson<Manifest & Partial<ImageIndex>>(digest);
  for (const child of raw.manifests ?? []) {
    into.blobs.add(child.digest);
    // A loaded index may list platforms whose blobs were never stored.
    if (await blobs.has(child.digest)) await addManifest(blobs, child.digest, into);
  }
  if (raw.config) {
    into.blobs.add(raw.config.digest);
    raw.layers.forEach((l) => into.blobs.add(l.digest));
    const config = await blobs.readJson<ImageConfig>(raw.config.digest);
    config.rootfs.diff_ids.forEach((l) => into.diffIDs.add(l));
  }
}

/** Blobs and layers that the manifests `digests` need. Throws on a corrupt manifest or config. */
export async function partsOfImages(blobs: BlobStore, digests: Iterable<string>): Promise<Reachable> {
  const out: Reachable = { blobs: new Set(), diffIDs: new Set() };
  for (const d of digests) await addManifest(blobs, d, out);
  return out;
}

/** Like {@link partsOfImages} for one image, but never throws: a corrupt image gives what could be read. */
export async function partsOfImageLenient(blobs: BlobStore, digest: string): Promise<Set<string>> {
  const out: Reachable = { blobs: new Set([digest]), diffIDs: new Set() };
  await addManifest(blobs, digest, out).catch(() => undefined);
  return new Set([...out.blobs, ...out.diffIDs]);
}
