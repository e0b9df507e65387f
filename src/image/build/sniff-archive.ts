/**
 * Recognises what ADD would extract from the first bytes of a file: a tar
 * (by its header checksum, so old v7 tars count too), a gzip-compressed
 * tar, or bzip2/xz/zstd streams (which berth does not unpack). Pure.
 */
import { constants, gunzipSync } from 'node:zlib';
import type { FileDigest } from './build-plan.js';

/** The archive kind of a file starting with `head` (at least 512 bytes when it has them). */
export function sniffArchive(head: Uint8Array): FileDigest['archive'] {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      return isTarHeader(gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH })) ? 'tar+gzip' : undefined;
    } catch {
      return undefined;
    }
  }
  if (b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (b.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  return isTarHeader(b) ? 'tar' : undefined;
}

/** True when `b` starts with a valid tar header block (checksum matches). */
export function isTarHeader(b: Buffer): boolean {
  if (b.length < 512) return false;
  const stored = parseInt(b.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === stored && b[0] !== 0;
}
