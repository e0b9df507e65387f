/**
 * The persistent build cache: step key → the layer that step made (blob
 * descriptor + diffID), in `<root>/images/build-cache.json`. Writes are
 * atomic and serialised by a flock; an entry whose blob is gone (rmi,
 * prune) is a miss, so the cache never hands out a layer the store lost.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { withFileLock } from '../file-lock.js';
import type { ImageStore } from '../image-store.js';
import type { Descriptor } from '../oci-types.js';
import type { BuildCache } from '../build/step-executor.js';

/** A layer as a build passes it around: what `writeImage` needs, JSON-safe. */
export interface StoredLayer {
  descriptor: Descriptor;
  diffID: string;
}

interface CacheFile {
  version: 1;
  entries: Record<string, StoredLayer & { at: number }>;
  /** Whole images by build identity (last key + config + history), so an unchanged rebuild gives the same digest. */
  images?: Record<string, { descriptor: Descriptor; at: number }>;
}

/** Most entries kept; the oldest go first. */
const MAX_ENTRIES = 5000;

/** The build cache of one image store. */
export class BuildLayerCache implements BuildCache<StoredLayer> {
  private readonly path: string;
  private readonly lock: string;

  constructor(private readonly store: ImageStore) {
    this.path = join(store.dir, 'build-cache.json');
    this.lock = join(store.dir, 'locks', 'build-cache.lock');
  }

  private async read(): Promise<CacheFile> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as CacheFile;
      return parsed.version === 1 && parsed.entries ? parsed : { version: 1, entries: {} };
    } catch {
      // missing or damaged: a cache may always start empty
      return { version: 1, entries: {} };
    }
  }

  async get(key: string): Promise<StoredLayer | undefined> {
    const hit = (await this.read()).entries[key];
    if (!hit || !(await this.store.blobs.has(hit.descriptor.digest))) return undefined;
    return { descriptor: hit.descriptor, diffID: hit.diffID };
  }

  /** The manifest descriptor of an image built before with the same identity, if its blob is still stored. */
  async getImage(key: string): Promise<Descriptor | undefined> {
    const hit = (await this.read()).images?.[key];
    return hit && (await this.store.blobs.has(hit.descriptor.digest)) ? hit.descriptor : undefined;
  }

  /** Remembers the image a build made. */
  putImage(key: string, descriptor: Descriptor): Promise<void> {
    return this.update((file) => {
      file.images = { ...(file.images ?? {}), [key]: { descriptor, at: Date.now() } };
    });
  }

  put(key: string, layer: StoredLayer): Promise<void> {
    return this.update((file) => {
      file.entries[key] = { descriptor: layer.descriptor, diffID: layer.diffID, at: Date.now() };
      const keys = Object.keys(file.entries);
      if (keys.length > MAX_ENTRIES) {
        keys.sort((a, b) => file.entries[a]!.at - file.entries[b]!.at);
        for (const k of keys.slice(0, keys.length - MAX_ENTRIES)) delete file.entries[k];
      }
    });
  }

  private async update(change: (file: CacheFile) => void): Promise<void> {
    await withFileLock(this.lock, async () => {
      const file = await this.read();
      change(file);
      const images = Object.entries(file.images ?? {});
      if (images.length > MAX_ENTRIES) file.images = Object.fromEntries(images.sort((a, b) => b[1].at - a[1].at).slice(0, MAX_ENTRIES));
      await writeFileAtomic(this.path, JSON.stringify(file));
    });
  }
}
