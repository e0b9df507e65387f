/**
 * sha256 digests: computing them, checking their form, and a pass-through
 * stream that fails at its end when the bytes do not match the digest they
 * claim. Every blob berth reads goes through one of these.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BerthError } from '../errors.js';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** True for `sha256:` + 64 lowercase hex digits (the only algorithm berth stores). */
export function isDigest(text: string): boolean {
  return SHA256.test(text);
}

/** Throws E_BAD_DIGEST unless `text` is a sha256 digest; returns its hex part. */
export function digestHex(text: string): string {
  if (!isDigest(text)) throw new BerthError('E_BAD_DIGEST', `not a sha256 digest: "${text}"`, { hint: 'digests look like sha256:<64 hex digits>' });
  return text.slice('sha256:'.length);
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The error for bytes that do not match their digest. The blob must not be used. */
export function corruptBlobError(digest: string, actual: string, what = 'blob'): BerthError {
  return new BerthError('E_CORRUPT_BLOB', `${what} ${digest} is corrupt: its content hashes to ${actual}`, {
    hint: 'remove the image that uses it (berth rmi -f) and add it again (pull, load or build); berth image prune deletes unused blobs',
  });
}

/** A stream that passes bytes through, counts and hashes them, and exposes the result. */
export class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  /** Bytes seen so far. */
  size = 0;
  /** Set when the stream has ended. */
  digest = '';
  private readonly expected: string | undefined;
  private readonly what: string;

  /** With `expected`, the stream errors with E_CORRUPT_BLOB at its end on a mismatch. */
  constructor(expected?: string, what = 'blob') {
    super();
    this.expected = expected;
    this.what = what;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.digest = `sha256:${this.hash.digest('hex')}`;
    if (this.expected !== undefined && this.digest !== this.expected) cb(corruptBlobError(this.expected, this.digest, this.what));
    else cb();
  }
}
