/**
 * Holds: an image in use by a container (`holds/<owner>.json`). A held image
 * is not removed without force, and its blobs and layer dirs survive rmi -f
 * and prune until the hold is released — the container driver holds the
 * image of each container it creates and releases it on destroy.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Image } from './image-views.js';

/** What a hold keeps. */
export interface Hold {
  image: string;
  blobs: string[];
  diffIDs: string[];
}

function holdPath(dir: string, owner: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(owner)) throw new BerthError('E_BAD_OWNER', `bad hold owner "${owner}"`, { hint: 'use letters, digits, ".", "_" and "-"' });
  return join(dir, `${owner}.json`);
}

/** Records that `owner` uses `image`. */
export async function writeHold(dir: string, owner: string, image: Image): Promise<void> {
  const hold: Hold = { image: image.digest, blobs: [image.digest, image.id, ...image.manifest.layers.map((l) => l.digest)], diffIDs: image.config.rootfs.diff_ids };
  await writeFileAtomic(holdPath(dir, owner), JSON.stringify(hold));
}

/** Drops `owner`'s hold (no error if none). */
export async function removeHold(dir: string, owner: string): Promise<void> {
  await rm(holdPath(dir, owner), { force: true });
}

/** Every hold, by owner. */
export async function readHolds(dir: string): Promise<Map<string, Hold>> {
  const out = new Map<string, Hold>();
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!f.endsWith('.json')) continue;
    const hold = JSON.parse(await readFile(join(dir, f), 'utf8').catch(() => 'null')) as Hold | null;
    if (hold) out.set(f.slice(0, -'.json'.length), hold);
  }
  return out;
}
