/**
 * berth's image store: an OCI image layout under `<root>/images/`
 * (oci-layout, index.json, blobs/sha256/…) plus unpacked layers
 * (`layers/<diffid-hex>/`, overlay lowerdirs), holds (`holds/<owner>.json`,
 * images in use by containers) and a temp dir on the same filesystem.
 *
 * Concurrency: blobs and layer dirs are made with rename-atomicity (temp,
 * fsync, rename) and need no lock; every read-modify-write of index.json
 * (write, tag, remove, prune) holds an exclusive flock on `index.lock`, and
 * an image enters the index only after all its blobs are on disk, so a
 * half-written image is never visible.
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, errorCode } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { BlobStore } from './blob-store.js';
import { isDigest } from './digest.js';
import { withFileLock } from './file-lock.js';
import { imageAmbiguous, imageInUse, imageNotFound, badImage } from './image-errors.js';
import * as idx from './image-index.js';
import { historyOf, inspectView, summarize, type HistoryRow, type Image, type ImageSummary } from './image-views.js';
import { LayerStore, type AddLayerOptions, type LayerRef, type LayerSource } from './layer-store.js';
import { hostArchitecture, MediaType, type Descriptor, type ImageConfig, type ImageIndex, type Manifest } from './oci-types.js';
import { familiarReference, normalizeReference, parseReference } from './reference.js';
import { collectGarbage, cleanTemp, type GcResult, type Reachable } from './store-gc.js';

/** What {@link ImageStore.writeImage} takes. `config.rootfs` is filled from `layers`. */
export interface WriteImageInput {
  config: Omit<ImageConfig, 'rootfs' | 'architecture' | 'os'> & Partial<Pick<ImageConfig, 'architecture' | 'os'>>;
  /** Bottom-most first, as `addLayer` returned them (or parent layers from `layersOf`). */
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

/** An image in use: its blobs and layers survive rmi -f and prune until released. */
interface Hold {
  image: string;
  blobs: string[];
  diffIDs: string[];
}

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
    const layout = join(store.dir, 'oci-layout');
    if (!(await readFile(layout).catch(() => undefined))) await writeFileAtomic(layout, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (!(await readFile(store.indexPath).catch(() => undefined))) await store.withLock(async () => {
      if (!(await readFile(store.indexPath).catch(() => undefined))) await store.writeIndex(idx.emptyIndex());
    });
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

  /** Reads a manifest (following an image index to this host's platform) and its config, verified. */
  async loadImage(descriptor: Descriptor, ref: string, names: string[]): Promise<Image> {
    let desc = descriptor;
    let raw = await this.blobs.readJson<Manifest & Partial<ImageIndex>>(desc.digest);
    if (Array.isArray(raw.manifests)) {
      const arch = hostArchitecture();
      const pick = raw.manifests.find((m) => m.platform?.architecture === arch && m.platform.os === 'linux') ?? raw.manifests[0];
      if (!pick) throw badImage(`image index ${desc.digest} lists no manifests`);
      desc = pick;
      raw = await this.blobs.readJson<Manifest & Partial<ImageIndex>>(desc.digest);
    }
    const manifest = raw as Manifest;
    if (!manifest.config || !Array.isArray(manifest.layers)) throw badImage(`blob ${desc.digest} is not an image manifest`);
    const config = await this.blobs.readJson<ImageConfig>(manifest.config.digest);
    if (config.rootfs?.diff_ids?.length !== manifest.layers.length) {
      throw badImage(`image ${descriptor.digest}: ${manifest.layers.length} layers but ${config.rootfs?.diff_ids?.length ?? 0} diff_ids`);
    }
    return { ref, digest: descriptor.digest, id: manifest.config.digest, manifest, config, names };
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
      if (!/^(sha256:)?[a-f0-9]{4,64}$/.test(text)) throw err;
    }
    if (isDigest(text)) digest = text;
    if (name !== undefined) {
      const d = idx.findByName(index, name);
      if (d) return { descriptor: d, ref: name, byName: true };
    }
    if (digest !== undefined) {
      const d = index.manifests.find((m) => m.digest === digest);
      if (d) return { descriptor: d, ref: digest, byName: false };
    }
    if (/^(sha256:)?[a-f0-9]{4,64}$/.test(text)) {
      const prefix = text.startsWith('sha256:') ? text : `sha256:${text}`;
      const hits = new Map<string, Descriptor>();
      for (const m of index.manifests) {
        if (m.digest.startsWith(prefix)) hits.set(m.digest, m);
        else {
          const img = await this.loadImage(m, m.digest, []).catch(() => undefined);
          if (img?.id.startsWith(prefix)) hits.set(m.digest, m);
        }
      }
      if (hits.size > 1) throw imageAmbiguous(text, `matches ${hits.size} images`);
      const [only] = hits.values();
      if (only) return { descriptor: only, ref: only.digest, byName: false };
    }
    const known = index.manifests.map((m) => idx.nameOf(m)).filter((n): n is string => !!n).map((n) => familiarReference(parseReference(n)));
    throw imageNotFound(text, known);
  }

  /** Resolves a reference (`busybox`, `app:v1`, `sha256:…`, an ID prefix) to its image. E_IMAGE_NOT_FOUND lists known images. */
  async resolve(ref: string): Promise<Image> {
    const index = await this.readIndex();
    const { descriptor, ref: resolved } = await this.find(ref, index);
    return this.loadImage(descriptor, resolved, idx.namesOf(index, descriptor.digest));
  }

  /** Every image: one entry per image (not per name). */
  async images(): Promise<Image[]> {
    const index = await this.readIndex();
    const out: Image[] = [];
    for (const digest of idx.digestsOf(index)) {
      const d = index.manifests.find((m) => m.digest === digest)!;
      out.push(await this.loadImage(d, digest, idx.namesOf(index, digest)));
    }
    return out;
  }

  /** `berth images` rows: one per name, newest first. */
  async list(): Promise<ImageSummary[]> {
    const rows = (await this.images()).flatMap(summarize);
    return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || (a.name ?? '').localeCompare(b.name ?? ''));
  }

  /** Gives the image `src` the name `dst` (moving `dst` if it named another image). */
  async tag(src: string, dst: string): Promise<Image> {
    const target = parseReference(dst);
    if (target.digest !== undefined) throw new BerthError('E_BAD_REFERENCE', `cannot tag with a digest: "${dst}"`, { hint: 'use NAME[:TAG]' });
    const name = normalizeReference(dst);
    return this.withLock(async () => {
      const index = await this.readIndex();
      const { descriptor } = await this.find(src, index);
      const next = idx.setName(index, name, descriptor);
      await this.writeIndex(next);
      return this.loadImage(descriptor, name, idx.namesOf(next, descriptor.digest));
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

  /**
   * Writes config and manifest blobs, then (under the lock, after checking
   * every blob is present) adds the image to the index, named if `ref` is set.
   */
  async writeImage(input: WriteImageInput): Promise<Image> {
    const config: ImageConfig = {
      created: new Date().toISOString(),
      architecture: hostArchitecture(),
      os: 'linux',
      ...input.config,
      rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.diffID) },
    };
    const steps = (config.history ?? []).filter((h) => h.empty_layer !== true).length;
    if (config.history && config.history.length > 0 && steps !== input.layers.length) {
      throw badImage(`history has ${steps} layer steps but the image has ${input.layers.length} layers`);
    }
    const name = input.ref === undefined ? undefined : normalizeReference(input.ref);
    const configBlob = await this.blobs.put(JSON.stringify(config));
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: { mediaType: MediaType.config, digest: configBlob.digest, size: configBlob.size },
      layers: input.layers.map((l) => l.descriptor),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    };
    const manifestBlob = await this.blobs.put(JSON.stringify(manifest));
    const descriptor: Descriptor = { mediaType: MediaType.manifest, digest: manifestBlob.digest, size: manifestBlob.size };
    return this.withLock(async () => {
      for (const d of [manifestBlob.digest, configBlob.digest, ...manifest.layers.map((l) => l.digest)]) {
        if (!(await this.blobs.has(d))) throw new BerthError('E_BLOB_MISSING', `blob ${d} vanished before image ${manifestBlob.digest} was recorded (removed by a concurrent rmi or prune)`, { hint: 'run the command again' });
        await this.blobs.touch(d);
      }
      const index = await this.readIndex();
      const next = name ? idx.setName(index, name, descriptor) : idx.addUnnamed(index, descriptor);
      await this.writeIndex(next);
      return { ref: name ?? descriptor.digest, digest: descriptor.digest, id: configBlob.digest, manifest, config, names: idx.namesOf(next, descriptor.digest) };
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

  /** Marks an image as used by `owner` (a container id): rmi refuses without force, prune keeps its parts. */
  async hold(owner: string, ref: string | Image): Promise<void> {
    const image = typeof ref === 'string' ? await this.resolve(ref) : ref;
    const hold: Hold = { image: image.digest, blobs: [image.digest, image.id, ...image.manifest.layers.map((l) => l.digest)], diffIDs: image.config.rootfs.diff_ids };
    await writeFileAtomic(this.holdPath(owner), JSON.stringify(hold));
  }

  /** Drops `owner`'s hold (no error if none). */
  async release(owner: string): Promise<void> {
    await rm(this.holdPath(owner), { force: true });
  }

  private holdPath(owner: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(owner)) throw new BerthError('E_BAD_OWNER', `bad hold owner "${owner}"`);
    return join(this.holdsDir, `${owner}.json`);
  }

  private async holds(): Promise<Map<string, Hold>> {
    const out = new Map<string, Hold>();
    for (const f of await readdir(this.holdsDir).catch(() => [] as string[])) {
      if (!f.endsWith('.json')) continue;
      const hold = JSON.parse(await readFile(join(this.holdsDir, f), 'utf8').catch(() => 'null')) as Hold | null;
      if (hold) out.set(f.slice(0, -'.json'.length), hold);
    }
    return out;
  }

  private async reachable(index: ImageIndex, holds: Map<string, Hold>): Promise<Reachable> {
    const keep: Reachable = { blobs: new Set(), diffIDs: new Set() };
    for (const digest of idx.digestsOf(index)) {
      keep.blobs.add(digest);
      const d = index.manifests.find((m) => m.digest === digest)!;
      const raw = await this.blobs.readJson<Manifest & Partial<ImageIndex>>(digest);
      for (const child of raw.manifests ?? []) {
        keep.blobs.add(child.digest);
        // Only children we have matter; a loaded index may list platforms we never stored.
        if (await this.blobs.has(child.digest)) await this.addManifestParts(child.digest, keep);
      }
      if (raw.config) await this.addManifestParts(d.digest, keep);
    }
    for (const h of holds.values()) {
      h.blobs.forEach((b) => keep.blobs.add(b));
      h.diffIDs.forEach((l) => keep.diffIDs.add(l));
    }
    return keep;
  }

  private async addManifestParts(digest: string, keep: Reachable): Promise<void> {
    const m = await this.blobs.readJson<Manifest>(digest);
    keep.blobs.add(m.config.digest);
    m.layers.forEach((l) => keep.blobs.add(l.digest));
    const config = await this.blobs.readJson<ImageConfig>(m.config.digest);
    config.rootfs.diff_ids.forEach((l) => keep.diffIDs.add(l));
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
      const result: RemoveResult = { untagged: [], deleted: [] };
      if (byName && names.length > 1) {
        index = idx.removeName(index, found);
        await this.writeIndex(index);
        return { untagged: [found], deleted: [] };
      }
      if (!byName && names.length > 1 && !options.force) throw imageAmbiguous(ref, `is the image of ${names.length} names (${names.map((n) => familiarReference(parseReference(n))).join(', ')})`);
      const holds = await this.holds();
      const owners = [...holds].filter(([, h]) => h.image === descriptor.digest).map(([o]) => o);
      if (owners.length > 0 && !options.force) throw imageInUse(ref, owners);
      const parts = await this.partsOf(descriptor.digest);
      index = idx.removeDigest(index, descriptor.digest);
      await this.writeIndex(index);
      result.untagged = names;
      result.deleted = [descriptor.digest];
      await collectGarbage(this.blobs, this.layers, await this.reachable(index, holds), { graceMs: Infinity, now: Date.now(), released: parts });
      return result;
    });
  }

  private async partsOf(digest: string): Promise<Set<string>> {
    const keep: Reachable = { blobs: new Set([digest]), diffIDs: new Set() };
    try {
      const raw = await this.blobs.readJson<Manifest & Partial<ImageIndex>>(digest);
      for (const child of raw.manifests ?? []) if (await this.blobs.has(child.digest)) { keep.blobs.add(child.digest); await this.addManifestParts(child.digest, keep); }
      if (raw.config) await this.addManifestParts(digest, keep);
    } catch {
      // A corrupt image: remove what we can name; prune finds the rest.
    }
    return new Set([...keep.blobs, ...keep.diffIDs]);
  }

  /**
   * Removes dangling images (no name, not held), then blobs and layer dirs
   * nothing references that are older than `graceMs` (default 1 h: younger
   * ones may belong to a build or pull in progress), and stale temp files.
   */
  async prune(options: { graceMs?: number } = {}): Promise<PruneResult> {
    return this.withLock(async () => {
      let index = await this.readIndex();
      const holds = await this.holds();
      const held = new Set([...holds.values()].map((h) => h.image));
      const removedImages: string[] = [];
      const released = new Set<string>();
      for (const digest of idx.danglingDigests(index)) {
        if (held.has(digest)) continue;
        (await this.partsOf(digest)).forEach((p) => released.add(p));
        index = idx.removeDigest(index, digest);
        removedImages.push(digest);
      }
      if (removedImages.length > 0) await this.writeIndex(index);
      await cleanTemp(this.blobs.tmpDir);
      const gc = await collectGarbage(this.blobs, this.layers, await this.reachable(index, holds), { graceMs: options.graceMs ?? 3_600_000, now: Date.now(), released });
      return { ...gc, removedImages };
    });
  }
}

export type { Image, ImageSummary, HistoryRow } from './image-views.js';
export type { LayerRef, LayerSource, AddLayerOptions } from './layer-store.js';
