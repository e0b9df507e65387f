/**
 * `berth pull`: joins the registry client to the image store. Resolves the
 * reference (picking linux/amd64 from an index), streams every missing blob
 * straight into the store (verified twice: by the client while streaming and
 * by the store before its rename), unpacks the layers, and names the image
 * last. A pull that dies leaves no image, only whole blobs a rerun reuses.
 */
import { PassThrough } from 'node:stream';
import { BerthError } from '../../errors.js';
import type { Image, ImageStore } from '../image-store.js';
import type { Descriptor } from '../oci-types.js';
import { formatReference, parseReference } from '../reference.js';
import type { Platform } from './descriptor.js';
import { openRegistry, type OpenRegistryOptions } from './open-registry.js';
import type { RegistryClient } from './registry-client.js';

/** Progress of a pull or push, per blob; the CLI draws bars from these. */
export type TransferEvent =
  | { type: 'resolved'; ref: string; digest: string; blobs: Array<{ digest: string; size: number; kind: 'config' | 'layer' }> }
  | { type: 'blob'; digest: string; kind: 'config' | 'layer'; done: number; total: number }
  | { type: 'blob-done'; digest: string; kind: 'config' | 'layer'; outcome: 'exists' | 'downloaded' | 'uploaded' | 'mounted' }
  | { type: 'unpacking'; digest: string }
  | { type: 'done'; ref: string; digest: string };

/** Options of a pull. */
export interface PullOptions extends Omit<OpenRegistryOptions, 'root'> {
  /** The berth state dir (for auth.json). */
  root: string;
  onEvent?: (e: TransferEvent) => void;
  platform?: Platform;
  /** Blobs downloaded at once (default 3). */
  concurrency?: number;
  /** Use this client instead of opening one (tests, the agent's shared client). */
  client?: RegistryClient;
  signal?: AbortSignal;
}

/** What was pulled. */
export interface PullResult {
  ref: string;
  digest: string;
  image: Image;
  downloaded: number;
  reused: number;
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Pulls `text` (e.g. `127.0.0.1:5000/team/app:v1`) into `store`. */
export async function pullImage(store: ImageStore, text: string, opts: PullOptions): Promise<PullResult> {
  const ref = parseReference(text);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const client = opts.client ?? (await openRegistry(ref.domain, opts));
  const emit = opts.onEvent ?? (() => undefined);
  const resolved = await client.resolveImage(ref.path, reference, opts.platform, opts.signal);
  const m = resolved.manifest;
  const blobs = [{ ...m.config, kind: 'config' as const }, ...m.layers.map((l) => ({ ...l, kind: 'layer' as const }))];
  const name = ref.tag !== undefined ? formatReference({ domain: ref.domain, path: ref.path, tag: ref.tag }) : undefined;
  emit({ type: 'resolved', ref: name ?? formatReference(ref), digest: resolved.digest, blobs: blobs.map((b) => ({ digest: b.digest, size: b.size, kind: b.kind })) });
  let downloaded = 0;
  let reused = 0;
  await mapLimit(blobs, opts.concurrency ?? 3, async (b) => {
    if (await store.blobs.has(b.digest)) {
      reused++;
      emit({ type: 'blob-done', digest: b.digest, kind: b.kind, outcome: 'exists' });
      return;
    }
    const pipe = new PassThrough();
    const stored = store.blobs.put(pipe, { digest: b.digest, size: b.size });
    const fetched = client.getBlob(ref.path, b.digest, pipe, {
      size: b.size, signal: opts.signal,
      onProgress: (p) => emit({ type: 'blob', digest: b.digest, kind: b.kind, done: p.done, total: b.size }),
    });
    // The client's error says what went wrong on the wire; report it before the store's echo of it.
    const [f, s] = await Promise.allSettled([fetched, stored]);
    if (f.status === 'rejected') throw f.reason;
    if (s.status === 'rejected') throw s.reason;
    downloaded++;
    emit({ type: 'blob-done', digest: b.digest, kind: b.kind, outcome: 'downloaded' });
  });
  const diffIds = await configDiffIds(store, m.config.digest, m.layers.length);
  for (const [i, layer] of m.layers.entries()) {
    emit({ type: 'unpacking', digest: layer.digest });
    await store.layers.ensureUnpacked(layer as Descriptor, diffIds[i]!);
  }
  await store.blobs.put(resolved.bytes, { digest: resolved.digest });
  const descriptor: Descriptor = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.bytes.length };
  // Named last, under the store's lock, after it has checked every blob is there.
  const image = await store.recordImage(descriptor, name);
  emit({ type: 'done', ref: name ?? formatReference(ref), digest: resolved.digest });
  return { ref: name ?? formatReference(ref), digest: resolved.digest, image, downloaded, reused };
}

async function configDiffIds(store: ImageStore, digest: string, layers: number): Promise<string[]> {
  const config = await store.blobs.readJson<{ rootfs?: { diff_ids?: string[] } }>(digest);
  const ids = config.rootfs?.diff_ids ?? [];
  if (ids.length !== layers) {
    throw new BerthError('E_MANIFEST_INVALID', `image config ${digest} lists ${ids.length} layer diff_ids but the manifest has ${layers} layers`, { hint: 'the image on the registry is malformed; nothing was named' });
  }
  return ids;
}
