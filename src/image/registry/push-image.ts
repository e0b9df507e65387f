/**
 * `berth push`: joins the image store to the registry client. Uploads the
 * config and every layer the registry lacks (streamed from the store, which
 * verifies them as it reads), then the manifest's exact bytes under the tag,
 * so the registry's digest is the store's digest.
 */
import { BerthError } from '../../errors.js';
import type { ImageStore } from '../image-store.js';
import { formatReference, parseReference } from '../reference.js';
import { openRegistry } from './open-registry.js';
import type { PullOptions, TransferEvent } from './pull-image.js';
import { isIndexType } from './media-types.js';
import { parseManifest } from './descriptor.js';
import { selectPlatform } from './select-platform.js';
import { Readable } from 'node:stream';

/** Options of a push (as for a pull), plus where blobs may be mounted from. */
export interface PushOptions extends Omit<PullOptions, 'platform'> {
  /** A repository on the target registry that may hold the layers already (cross-repo mount). */
  mountFrom?: string;
  /** Upload in PATCH chunks of this size instead of one PUT per blob. */
  chunkSize?: number;
}

/** What was pushed. */
export interface PushResult {
  ref: string;
  digest: string;
  uploaded: number;
  skipped: number;
}

/** Pushes local image `source` to `dest` (default: the same name). */
export async function pushImage(store: ImageStore, source: string, dest: string | undefined, opts: PushOptions): Promise<PushResult> {
  const image = await store.resolve(source);
  const ref = parseReference(dest ?? source);
  if (ref.digest !== undefined && ref.tag === undefined) {
    throw new BerthError('E_BAD_REFERENCE', `cannot push to a digest: ${dest ?? source}`, { hint: 'push to NAME:TAG; the registry computes the digest' });
  }
  const tag = ref.tag ?? 'latest';
  const client = opts.client ?? (await openRegistry(ref.domain, opts));
  const emit = opts.onEvent ?? ((_: TransferEvent) => undefined);
  let bytes = await store.blobs.read(image.digest);
  let mediaType = image.manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  let digest = image.digest;
  const top = parseManifest(bytes, '');
  if (isIndexType(top.mediaType) && 'index' in top) {
    // The store keeps an index for multi-platform images; a push sends the platform berth runs.
    const pick = selectPlatform(top.index, undefined, source);
    bytes = await store.blobs.read(pick.digest);
    mediaType = pick.mediaType;
    digest = pick.digest;
  }
  const m = image.manifest;
  const blobs = [{ ...m.config, kind: 'config' as const }, ...m.layers.map((l) => ({ ...l, kind: 'layer' as const }))];
  const name = formatReference({ domain: ref.domain, path: ref.path, tag });
  emit({ type: 'resolved', ref: name, digest, blobs: blobs.map((b) => ({ digest: b.digest, size: b.size, kind: b.kind })) });
  // An image pulled from (or pushed to) another repository of this registry can have its blobs mounted, not uploaded.
  const mountFrom = opts.mountFrom ?? image.names.map((n) => parseReference(n)).find((r) => r.domain === ref.domain && r.path !== ref.path)?.path;
  let uploaded = 0;
  let skipped = 0;
  for (const b of blobs) {
    const outcome = await client.putBlob(ref.path, { digest: b.digest, size: b.size }, () => Readable.from(streamBlob(store, b.digest)), {
      mountFrom, chunkSize: opts.chunkSize, signal: opts.signal,
      onProgress: (p) => emit({ type: 'blob', digest: b.digest, kind: b.kind, done: p.done, total: b.size }),
    });
    if (outcome === 'uploaded') uploaded++;
    else skipped++;
    emit({ type: 'blob-done', digest: b.digest, kind: b.kind, outcome });
  }
  const pushed = await client.putManifest(ref.path, tag, bytes, mediaType);
  emit({ type: 'done', ref: name, digest: pushed });
  return { ref: name, digest: pushed, uploaded, skipped };
}

async function* streamBlob(store: ImageStore, digest: string): AsyncGenerator<Buffer> {
  for await (const c of await store.blobs.open(digest)) yield c as Buffer;
}
