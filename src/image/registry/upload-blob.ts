/**
 * Uploads one blob: skips it when the registry has it, mounts it from another
 * repository on the same registry when possible, else POSTs an upload and
 * sends the bytes in one PUT (monolithic) or in PATCH chunks then a closing
 * PUT. A failed upload is cancelled so the registry frees its state.
 */
import { Readable } from 'node:stream';
import { BerthError } from '../../errors.js';
import { repositoryScope } from './authenticator.js';
import type { BlobProgress } from './download-blob.js';
import type { RegistryHttp } from './registry-http.js';

/** The bytes of a blob: a buffer, or a factory for a fresh stream of all of it. */
export type BlobSource = Buffer | (() => Readable);

/** Options of a blob upload. */
export interface UploadOptions {
  /** A repository on the same registry that may already hold the blob. */
  mountFrom?: string;
  /** Send PATCH chunks of this many bytes instead of one PUT. */
  chunkSize?: number;
  onProgress?: (p: BlobProgress) => void;
  signal?: AbortSignal;
}

/** How the blob reached the registry. */
export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

function locationOf(res: Response, host: string): string {
  const loc = res.headers.get('location');
  if (!loc) throw new BerthError('E_REGISTRY_ERROR', `${host} started an upload without a Location header`);
  return loc;
}

async function* chunksOf(source: BlobSource, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let i = 0; i < source.length; i += size) yield source.subarray(i, i + size);
    return;
  }
  let pending: Buffer[] = [];
  let have = 0;
  for await (const c of source()) {
    let buf = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    while (have + buf.length >= size) {
      const take = size - have;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      have = 0;
    }
    if (buf.length) {
      pending.push(buf);
      have += buf.length;
    }
  }
  if (have) yield Buffer.concat(pending);
}

/** Uploads blob `digest` of `size` bytes to `repo`. */
export async function uploadBlob(http: RegistryHttp, repo: string, blob: { digest: string; size: number }, source: BlobSource, opts: UploadOptions = {}): Promise<UploadOutcome> {
  const { digest, size } = blob;
  const ctx = { repo, reference: digest, what: 'upload' as const };
  const head = await http.request({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes: [repositoryScope(repo, 'pull,push')], ctx: { ...ctx, what: 'blob' }, allow: [404], signal: opts.signal });
  if (head.status === 200) {
    opts.onProgress?.({ digest, done: size, total: size });
    return 'exists';
  }
  const scopes = [repositoryScope(repo, 'pull,push')];
  let start = `/v2/${repo}/blobs/uploads/`;
  if (opts.mountFrom && opts.mountFrom !== repo) {
    scopes.push(repositoryScope(opts.mountFrom, 'pull'));
    start += `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(opts.mountFrom)}`;
  }
  const began = await http.request({ method: 'POST', path: start, scopes, ctx, headers: { 'content-length': '0' }, signal: opts.signal });
  if (began.status === 201) {
    opts.onProgress?.({ digest, done: size, total: size });
    return 'mounted';
  }
  let location = locationOf(began, http.host);
  const push = [repositoryScope(repo, 'pull,push')];
  try {
    if (!opts.chunkSize || size <= opts.chunkSize) {
      const body = Buffer.isBuffer(source) ? source : counted(source, digest, size, opts.onProgress);
      await http.request({
        method: 'PUT', path: withDigest(location, digest), scopes: push, ctx, body, signal: opts.signal,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        // An upload session is single-use: a retry of the PUT would hit a consumed URL.
        idempotent: false,
      });
    } else {
      let offset = 0;
      for await (const chunk of chunksOf(source, opts.chunkSize)) {
        const res = await http.request({
          method: 'PATCH', path: location, scopes: push, ctx, body: chunk, signal: opts.signal,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length), 'content-range': `${offset}-${offset + chunk.length - 1}` },
        });
        location = locationOf(res, http.host);
        offset += chunk.length;
        opts.onProgress?.({ digest, done: offset, total: size });
      }
      await http.request({ method: 'PUT', path: withDigest(location, digest), scopes: push, ctx, headers: { 'content-length': '0' }, idempotent: false, signal: opts.signal });
    }
  } catch (err) {
    await http.request({ method: 'DELETE', path: location, scopes: push, ctx, allow: [404, 405], idempotent: false }).catch(() => undefined);
    throw err;
  }
  opts.onProgress?.({ digest, done: size, total: size });
  return 'uploaded';
}

function counted(open: () => Readable, digest: string, total: number, onProgress?: (p: BlobProgress) => void): () => Readable {
  if (!onProgress) return open;
  return () => {
    let done = 0;
    const r = open();
    r.on('data', (c: Buffer) => {
      done += c.length;
      onProgress({ digest, done, total });
    });
    return r;
  };
}
