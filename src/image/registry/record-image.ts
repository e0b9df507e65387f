/**
 * The last step of a pull: names a manifest whose blobs are all in the
 * store, under the store's index lock, so the name appears only after every
 * byte checked out.
 *
 * Stop-gap: ImageStore has no public "add this existing manifest under a
 * name" yet (writeImage re-serialises the config, which would change the
 * digest). This does what its `tag` does, with the store's own pure index
 * functions and atomic write, and should become one call to such a method.
 */
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import * as idx from '../image-index.js';
import type { ImageStore } from '../image-store.js';
import type { Descriptor } from '../oci-types.js';

/** Adds `descriptor` (a manifest already in the blobs) to the index, named `name` when given. */
export async function recordImage(store: ImageStore, descriptor: Descriptor, name: string | undefined, parts: string[]): Promise<void> {
  await store.withLock(async () => {
    for (const d of [descriptor.digest, ...parts]) {
      if (!(await store.blobs.has(d))) {
        throw new BerthError('E_BLOB_MISSING', `blob ${d} vanished before the pulled image was recorded (removed by a concurrent rmi or prune)`, { hint: 'run the pull again' });
      }
      await store.blobs.touch(d);
    }
    const index = await store.readIndex();
    const next = name ? idx.setName(index, name, descriptor) : idx.addUnnamed(index, descriptor);
    await writeFileAtomic(join(store.dir, 'index.json'), `${JSON.stringify(next, null, 2)}\n`);
  });
}
