/**
 * Garbage collection of the store: what is reachable from index.json and
 * from holds (containers using an image) is kept; other blobs and layer dirs
 * are deleted, except those younger than a grace period, which may belong to
 * a build or pull that has written blobs but not yet its image. Deleting a
 * layer dir renames it into tmp/ first, so no one ever sees half of one.
 */
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store.js';
import type { LayerStore } from './layer-store.js';

/** What a collection removed. */
export interface GcResult {
  removedBlobs: string[];
  /** diffIDs of removed layer dirs. */
  removedLayers: string[];
  /** Bytes freed (blobs plus unpacked layer files). */
  bytes: number;
}

/** What must be kept. */
export interface Reachable {
  blobs: Set<string>;
  diffIDs: Set<string>;
}

/** Options for {@link collectGarbage}. */
export interface GcOptions {
  /** Keep unreachable things modified within this many ms. */
  graceMs: number;
  now: number;
  /** Unreachable things to delete regardless of age (e.g. the parts of an image just removed). */
  released?: Set<string>;
}

/** Total bytes of files under `path` (not following symlinks). */
export async function treeSize(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const name of await readdir(path)) total += await treeSize(join(path, name));
  return total;
}

/** Deletes unreachable blobs and layer dirs. Call it holding the store lock. */
export async function collectGarbage(blobs: BlobStore, layers: LayerStore, keep: Reachable, options: GcOptions): Promise<GcResult> {
  const result: GcResult = { removedBlobs: [], removedLayers: [], bytes: 0 };
  const old = (mtimeMs: number, id: string) => options.released?.has(id) || options.now - mtimeMs >= options.graceMs;
  for (const digest of await blobs.list()) {
    if (keep.blobs.has(digest)) continue;
    const st = await blobs.stat(digest).catch(() => undefined);
    if (!st || !old(st.mtimeMs, digest)) continue;
    await blobs.remove(digest);
    result.removedBlobs.push(digest);
    result.bytes += st.size;
  }
  const names = await readdir(layers.dir).catch(() => [] as string[]);
  for (const hex of names) {
    if (!/^[a-f0-9]{64}$/.test(hex)) continue;
    const diffID = `sha256:${hex}`;
    if (keep.diffIDs.has(diffID)) continue;
    const path = join(layers.dir, hex);
    const st = await lstat(path).catch(() => undefined);
    // ctime, not mtime: a layer dir keeps the mtime its tar gave it; rename into place sets ctime.
    if (!st || !old(st.ctimeMs, diffID)) continue;
    const doomed = blobs.tempPath('doomed-layer');
    try {
      await rename(path, doomed);
    } catch {
      continue;
    }
    result.bytes += await treeSize(doomed);
    await rm(doomed, { recursive: true, force: true });
    result.removedLayers.push(diffID);
  }
  return result;
}

/** Removes temp files and dirs left by processes that are gone (names start with their pid). */
export async function cleanTemp(tmpDir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (pid === process.pid || isAlive(pid)) continue;
    await rm(join(tmpDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
