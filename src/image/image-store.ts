/**
 * berth's image store: an OCI image layout under `<root>/images/`
 * (oci-layout, index.json, blobs/sha256/…) plus unpacked layers
 * (`layers/<diffid-hex>/`, overlay lowerdirs), holds (`holds/<owner>.json`,
 * images in use by containers), locks and a temp dir on the same filesystem.
 *
 * Concurrency: blobs and layer dirs are made with rename-atomicity (temp,
 * fsync, rename) and need no lock; every read-modify-write of index.json
 * (write, tag, remove, prune) holds an exclusive flock on `locks/index.lock`,
 * and an image enters the index only after all its blobs are on disk, so a
 * half-written image is never visible.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, errorCode } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { BlobStore } from './blob-store.js';
import { isDigest } from './digest.js';
import { withFileLock } from './file-lock.js';
import { imageAmbiguous, imageInUse, imageNotFound, badImage } from './image-errors.js';
import { readHolds, removeHold, writeHold } from './image-holds.js';
import * as idx from './image-index.js';
import { partsOfImageLenient, partsOfImages, readImage } from './image-parts.js';
import { historyOf, inspectView, summarize, type HistoryRow, type Image, type ImageSummary } from './image-views.js';
import { LayerStore, type AddLayerOptions, type LayerRef, type LayerSource } from './layer-store.js';
import { hostArchitecture, MediaType, type Descriptor, type ImageConfig, type ImageIndex, type Manifest } from './oci-types.js';
import { familiarReference, normalizeReference, parseReference } from './reference.js';
import { cleanTemp, collectGarbage, type GcResult } from './store-gc.js';

/** What {@link ImageStore.writeImage} takes. `config.rootfs` is filled from `layers`. */
export interface WriteImageInput {
  config: Omit<ImageConfig, 'rootfs' | 'architecture' | 'os'> & Partial<Pick<ImageConfig, 'architecture' | 'os'>>;
  /** Bottom-most first, as `addLayer` returned them (or a parent's, from `layersOf`). */
  layers: Array<Pick<LayerRef, 'descriptor' | 'diffID'>>;
  /** Name to give it (any reference form); without one the image is dangling. */
  ref?: string;
  annotations?: Record<string, string>;
}

/** What {@link ImageStore.remove} did. */
export interface RemoveResult {
  untagged: string[];
  /** Manifest digests of images deleted. */
  deleted: string[];
}

/** What {@link ImageStore.prune} did. */
export interface PruneResult extends GcResult {
  /** Manifest digests of dangling images removed. */
  removedImages: string[];
}

const HEX_ID = /^(sha256:)?[a-f0-9]{4,64}$/;

/** The image store. Open one with `ImageStore.open(root)`. */
export class ImageStore {
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  private readonly indexPath: string;
  private readonly lockPath: string;
  private readonly holdsDir: string;

  private constructor(readonly dir: string) {
    this.blobs = new BlobStore(join(dir, 'blobs', 'sha256'), join(dir, 'tmp'));
    this.layers = new LayerStore(join(dir, 'layers'), this.blobs);
    this.indexPath = join(dir, 'index.json');
    this.lockPath = join(dir, 'locks', 'index.lock');
    this.holdsDir = join(dir, 'holds');
  }

  /** Opens (creating if needed) the store under `<root>/images`. */
  static async open(root: string): Promise<ImageStore> {
    const store = new ImageStore(join(root, 'images'));
    for (const d of [store.blobs.dir, store.blobs.tmpDir, store.layers.dir, store.holdsDir, join(store.dir, 'locks')]) await mkdir(d, { recursive: true });
    const exists = (p: string) => readFile(p).then(() => true, () => false);
    if (!(await exists(join(store.dir, 'oci-layout')))) await writeFileAtomic(join(store.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (!(await exists(store.indexPath))) {
      await store.withLock(async () => { if (!(await exists(store.indexPath))) await store.writeIndex(idx.emptyIndex()); });
    }
    return store;
  }

  /** Runs `fn` holding the store's exclusive index lock. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockPath, fn);
  }

  /** The current index.json. */
  async readIndex(): Promise<ImageIndex> {
    try {
      const index = JSON.parse(await readFile(this.indexPath, 'utf8')) as ImageIndex;
      return { ...index, manifests: index.manifests ?? [] };
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return idx.emptyIndex();
      throw new BerthError('E_STORE_CORRUPT', `${this.indexPath} cannot be read: ${(err as Error).message}`, { hint: 'restore it from a backup, or move the images dir away and add images again' });
    }
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await writeFileAtomic(this.indexPath, `${JSON.stringify(index, null, 2)}\n`);
  }

  /** Finds the index descriptor for a reference: a name, a manifest digest, or an image ID (prefix). */
  private async find(text: string, index: ImageIndex): Promise<{ descriptor: Descriptor; ref: string; byName: boolean }> {
    let name: string | undefined;
    let digest: string | undefined;
    try {
      const r = parseReference(text);
      if (r.digest !== undefined) digest = r.digest;
      else name = normalizeReference(text);
    } catch (err) {
      if (!HEX_ID.test(text)) throw err;
    }
    if (isDigest(text)) digest = text;
    const named = name === undefined ? undefined : idx.findByName(index, name);
    if (named) return { descriptor: named, ref: name!, byName: true };
    const exact = digest === undefined ? undefined : index.manifests.find((m) => m.digest === digest);
    if (exact) return { descriptor: exact, ref: exact.digest, byName: false };
    if (HEX_ID.test(text)) {
      const prefix = text.startsWith('sha256:') ? text : `sha256:${text}`;
      const hits = new Map<string, Descriptor>();
      for (const m of index.manifests) {
        if (m.digest.startsWith(prefix)) hits.set(m.digest, m);
        else if ((await readImage(this.blobs, m, m.digest, []).catch(() => undefined))?.id.startsWith(prefix)) hits.set(m.digest, m);
      }
      if (hits.size > 1) throw imageAmbiguous(text, `matches ${hits.size} images`);
      const [only] = hits.values();
      if (only) return { descriptor: only, ref: only.digest, byName: false };
    }
    const known = index.manifests.map(idx.nameOf).filter((n): n is string => !!n).map((n) => familiarReference(parseReference(n)));
    throw imageNotFound(text, known);
  }

  /** Resolves a reference (`busybox`, `app:v1`, `sha256:…`, an ID prefix) to its image. E_IMAGE_NOT_FOUND lists known images. */
  async resolve(ref: string): Promise<Image> {
    const index = await this.readIndex();
    const { descriptor, ref: resolved } = await this.find(ref, index);
    return readImage(this.blobs, descriptor, resolved, idx.namesOf(index, descriptor.digest));
  }

  /** Every image, one entry per image (not per name). */
  async images(): Promise<Image[]> {
    const index = await this.readIndex();
    const out: Image[] = [];
    for (const digest of idx.digestsOf(index)) {
      out.push(await readImage(this.blobs, index.manifests.find((m) => m.digest === digest)!, digest, idx.namesOf(index, digest)));
    }
    return out;
  }

  /** `berth images` rows: one per name, newest first. */
  async list(): Promise<ImageSummary[]> {
    const rows = (await this.images()).flatMap(summarize);
    return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || (a.name ?? '').localeCompare(b.name ?? ''));
  }

  /** Gives the image `src` the name `dst` (moving `dst` if it named another image, which stays dangling). */
  async tag(src: string, dst: string): Promise<Image> {
    if (parseReference(dst).digest !== undefined) throw new BerthError('E_BAD_REFERENCE', `cannot tag with a digest: "${dst}"`, { hint: 'use NAME[:TAG]' });
    const name = normalizeReference(dst);
    return this.withLock(async () => {
      const index = await this.readIndex();
      const { descriptor } = await this.find(src, index);
      const next = idx.setName(index, name, descriptor);
      await this.writeIndex(next);
      return readImage(this.blobs, descriptor, name, idx.namesOf(next, descriptor.digest));
    });
  }

  /** Stores a layer (tar stream, possibly compressed, or a directory) and unpacks it. See {@link LayerStore.addLayer}. */
  addLayer(source: LayerSource, options: AddLayerOptions = {}): Promise<LayerRef> {
    return this.layers.addLayer(source, options);
  }

  /** The layers of an image as `writeImage` takes them (to build on a parent). */
  layersOf(image: Image): Array<Pick<LayerRef, 'descriptor' | 'diffID'>> {
    return image.manifest.layers.map((descriptor, i) => ({ descriptor, diffID: image.config.rootfs.diff_ids[i]! }));
  }

  /** Writes config and manifest blobs for a new image, then records it (see {@link recordImage}). */
  async writeImage(input: WriteImageInput): Promise<Image> {
    const config: ImageConfig = {
      created: new Date().toISOString(), architecture: hostArchitecture(), os: 'linux',
      ...input.config,
      rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.diffID) },
    };
    const steps = (config.history ?? []).filter((h) => h.empty_layer !== true).length;
    if (config.history && config.history.length > 0 && steps !== input.layers.length) {
      throw badImage(`history has ${steps} layer steps but the image has ${input.layers.length} layers`);
    }
    const configBlob = await this.blobs.put(JSON.stringify(config));
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: { mediaType: MediaType.config, digest: configBlob.digest, size: configBlob.size },
      layers: input.layers.map((l) => l.descriptor),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    };
    const manifestBlob = await this.blobs.put(JSON.stringify(manifest));
    return this.recordImage({ mediaType: MediaType.manifest, digest: manifestBlob.digest, size: manifestBlob.size }, input.ref);
  }

  /**
   * Adds an image whose blobs are already stored (manifest or index, config,
   * layers: what pull and load put with `blobs.put`/`adopt`) to the index,
   * named if `ref` is given. Under the lock it checks that every blob the
   * image needs is present and verifies the manifest and config.
   */
  async recordImage(descriptor: Descriptor, ref?: string): Promise<Image> {
    const name = ref === undefined ? undefined : normalizeReference(ref);
    return this.withLock(async () => {
      const image = await readImage(this.blobs, descriptor, name ?? descriptor.digest, []);
      for (const d of [descriptor.digest, image.id, ...image.manifest.layers.map((l) => l.digest)]) {
        if (!(await this.blobs.has(d))) throw new BerthError('E_BLOB_MISSING', `blob ${d} of image ${descriptor.digest} is not in the store (a concurrent rmi or prune may have removed it)`, { hint: 'run the command again' });
        await this.blobs.touch(d);
      }
      const index = await this.readIndex();
      const next = name ? idx.setName(index, name, descriptor) : idx.addUnnamed(index, descriptor);
      await this.writeIndex(next);
      return { ...image, names: idx.namesOf(next, descriptor.digest) };
    });
  }

  /** Unpacked layer dirs of an image, top-most first (overlay lowerdir order); unpacks any missing. */
  async layerDirs(ref: string | Image): Promise<string[]> {
    const image = typeof ref === 'string' ? await this.resolve(ref) : ref;
    const dirs: string[] = [];
    for (const [i, blob] of image.manifest.layers.entries()) dirs.push(await this.layers.ensureUnpacked(blob, image.config.rootfs.diff_ids[i]!));
    return dirs.reverse();
  }

  /** History rows, newest first. */
  async history(ref: string): Promise<HistoryRow[]> {
    const image = await this.resolve(ref);
    return historyOf(image.manifest, image.config);
  }

  /** Docker-like inspect JSON (with layer dirs where already unpacked). */
  async inspect(ref: string): Promise<Record<string, unknown>> {
    const image = await this.resolve(ref);
    const dirs = await Promise.all(image.config.rootfs.diff_ids.map(async (d) => ((await this.layers.has(d)) ? this.layers.pathOf(d) : undefined)));
    return inspectView(image, dirs);
  }

  /** Marks an image as used by `owner` (a container id): rmi refuses it without force; its parts survive rmi -f and prune. */
  async hold(owner: string, ref: string | Image): Promise<void> {
    await writeHold(this.holdsDir, owner, typeof ref === 'string' ? await this.resolve(ref) : ref);
  }

  /** Drops `owner`'s hold (no error if none). */
  release(owner: string): Promise<void> {
    return removeHold(this.holdsDir, owner);
  }

  private async keepSet(index: ImageIndex): Promise<{ blobs: Set<string>; diffIDs: Set<string> }> {
    const keep = await partsOfImages(this.blobs, idx.digestsOf(index));
    for (const h of (await readHolds(this.holdsDir)).values()) {
      h.blobs.forEach((b) => keep.blobs.add(b));
      h.diffIDs.forEach((l) => keep.diffIDs.add(l));
    }
    return keep;
  }

  /**
   * Removes a name, or an image. A name of an image with other names is only
   * untagged. An image addressed by ID/digest with several names, or held by
   * a container, needs `force`. The parts only it used are deleted at once.
   */
  async remove(ref: string, options: { force?: boolean } = {}): Promise<RemoveResult> {
    return this.withLock(async () => {
      let index = await this.readIndex();
      const { descriptor, ref: found, byName } = await this.find(ref, index);
      const names = idx.namesOf(index, descriptor.digest);
      if (byName && names.length > 1) {
        await this.writeIndex(idx.removeName(index, found));
        return { untagged: [found], deleted: [] };
      }
      if (!byName && names.length > 1 && !options.force) {
        throw imageAmbiguous(ref, `is the image of ${names.length} names (${names.map((n) => familiarReference(parseReference(n))).join(', ')})`);
      }
      const owners = [...(await readHolds(this.holdsDir))].filter(([, h]) => h.image === descriptor.digest).map(([o]) => o);
      if (owners.length > 0 && !options.force) throw imageInUse(ref, owners);
      const released = await partsOfImageLenient(this.blobs, descriptor.digest);
      index = idx.removeDigest(index, descriptor.digest);
      await this.writeIndex(index);
      await collectGarbage(this.blobs, this.layers, await this.keepSet(index), { graceMs: Infinity, now: Date.now(), released });
      return { untagged: names, deleted: [descriptor.digest] };
    });
  }

  /**
   * Removes dangling images (no name, not held), then blobs and layer dirs
   * nothing references that are older than `graceMs` (default 1 h: younger
   * ones may belong to a build or pull in progress), and stale temp files.
   */
  async prune(options: { graceMs?: number } = {}): Promise<PruneResult> {
    return this.withLock(async () => {
      let index = await this.readIndex();
      const held = new Set([...(await readHolds(this.holdsDir)).values()].map((h) => h.image));
      const removedImages: string[] = [];
      const released = new Set<string>();
      for (const digest of idx.danglingDigests(index)) {
        if (held.has(digest)) continue;
        (await partsOfImageLenient(this.blobs, digest)).forEach((p) => released.add(p));
        index = idx.removeDigest(index, digest);
        removedImages.push(digest);
      }
      if (removedImages.length > 0) await this.writeIndex(index);
      await cleanTemp(this.blobs.tmpDir);
      const gc = await collectGarbage(this.blobs, this.layers, await this.keepSet(index), { graceMs: options.graceMs ?? 3_600_000, now: Date.now(), released });
      return { ...gc, removedImages };
    });
  }
}

export type { Image, ImageSummary, HistoryRow } from './image-views.js';
export type { LayerRef, LayerSource, AddLayerOptions } from './layer-store.js';
