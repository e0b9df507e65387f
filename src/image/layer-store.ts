/**
 * Unpacked layers under `layers/<diffid-hex>/`, each made once: unpacked
 * into a temp dir in `tmp/`, synced, then renamed into place. Two processes
 * unpacking the same layer both finish; the first rename wins and the other
 * drops its copy (rename-atomicity, no lock). `addLayer` stores a new layer
 * blob (compressing plain tars) and unpacks it.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { errorCode } from '../errors.js';
import type { BlobStore } from './blob-store.js';
import { decompressLayer, peekCompression } from './decompress.js';
import { digestHex, DigestStream } from './digest.js';
import { packDir } from './layer-pack.js';
import { unpackLayer } from './layer-unpack.js';
import { MediaType, type Descriptor } from './oci-types.js';

const execFileP = promisify(execFile);

/** A stored layer: its blob descriptor, its uncompressed digest and its unpacked dir. */
export interface LayerRef {
  descriptor: Descriptor;
  diffID: string;
  dir: string;
}

/** Where a new layer comes from: a tar stream (plain, gzip or zstd) or a directory to tar. */
export type LayerSource = Readable | { dir: string; whiteouts?: boolean; mtime?: Date };

/** Options for {@link LayerStore.addLayer}. */
export interface AddLayerOptions {
  /** How to store a plain tar: `…tar+gzip` (default) or `…tar` (uncompressed). Compressed input is kept as is. */
  mediaType?: string;
  /** gzip level 1–9 (default 6). */
  level?: number;
  /** Unpack now (default true); otherwise on first `layerDirs`. */
  unpack?: boolean;
}

/** The layer directories of a store. */
export class LayerStore {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(readonly dir: string, readonly blobs: BlobStore) {}

  /** The dir of a layer (which may not exist yet). */
  pathOf(diffID: string): string {
    return join(this.dir, digestHex(diffID));
  }

  /** True when the layer is unpacked. */
  async has(diffID: string): Promise<boolean> {
    return stat(this.pathOf(diffID)).then(() => true, () => false);
  }

  /** Unpacks the layer blob once and returns its dir. */
  ensureUnpacked(blob: Descriptor, diffID: string): Promise<string> {
    const running = this.inflight.get(diffID);
    if (running) return running;
    const job = this.has(diffID)
      .then(async (done) => (done ? this.pathOf(diffID) : (await this.unpackBlob(blob, diffID)).dir))
      .finally(() => this.inflight.delete(diffID));
    this.inflight.set(diffID, job);
    return job;
  }

  /** Unpacks a blob into a temp dir, then renames it to `layers/<diffID>`; checks `expected` if given. */
  private async unpackBlob(blob: Descriptor, expected?: string): Promise<{ diffID: string; dir: string }> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.blobs.tmpDir, { recursive: true });
    const tmp = this.blobs.tempPath('layer');
    await mkdir(tmp, { mode: 0o755 });
    try {
      const { diffID } = await unpackLayer(await this.blobs.open(blob.digest), tmp, expected);
      const final = this.pathOf(diffID);
      if (await this.has(diffID)) return { diffID, dir: final };
      // syncfs: the dir must be whole on disk before its name says it is.
      await execFileP('sync', ['-f', tmp]);
      try {
        await rename(tmp, final);
      } catch (err) {
        const code = errorCode(err);
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        // Another process unpacked it first; theirs is identical.
      }
      return { diffID, dir: final };
    } finally {
      // A failed unpack may still have writes in flight: retry, and never hide the first error.
      await rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
    }
  }

  /** Stores a new layer blob, computes its diffID and (by default) unpacks it. */
  async addLayer(source: LayerSource, options: AddLayerOptions = {}): Promise<LayerRef> {
    const input = isDirSource(source) ? packDir(source.dir, { whiteouts: source.whiteouts ?? false, mtime: source.mtime }) : source;
    const { compression, stream } = await peekCompression(input);
    if (compression !== 'none') {
      // Already compressed (a pulled or loaded blob): keep its bytes; the diffID comes from unpacking.
      const stored = await this.blobs.put(stream);
      const descriptor: Descriptor = { mediaType: compression === 'gzip' ? MediaType.layerGzip : MediaType.layerZstd, digest: stored.digest, size: stored.size };
      if (options.unpack === false) {
        const hasher = new DigestStream();
        await pipeline((await decompressLayer(await this.blobs.open(stored.digest))).tar, hasher, new PassThrough().resume());
        return { descriptor, diffID: hasher.digest, dir: this.pathOf(hasher.digest) };
      }
      const { diffID, dir } = await this.unpackBlob(descriptor);
      return { descriptor, diffID, dir };
    }
    const wantTar = options.mediaType === MediaType.layerTar;
    const hasher = new DigestStream();
    const out = new PassThrough();
    const feeding = wantTar ? pipeline(stream, hasher, out) : pipeline(stream, hasher, createGzip({ level: options.level ?? 6 }), out);
    const [stored] = await Promise.all([this.blobs.put(out), feeding]);
    const diffID = hasher.digest;
    const descriptor: Descriptor = { mediaType: wantTar ? MediaType.layerTar : MediaType.layerGzip, digest: stored.digest, size: stored.size };
    const dir = options.unpack === false ? this.pathOf(diffID) : await this.ensureUnpacked(descriptor, diffID);
    return { descriptor, diffID, dir };
  }
}

function isDirSource(source: LayerSource): source is { dir: string; whiteouts?: boolean; mtime?: Date } {
  return typeof (source as { dir?: unknown }).dir === 'string' && typeof (source as { pipe?: unknown }).pipe !== 'function';
}
