/**
 * Content-addressed blobs under `blobs/sha256/<hex>`. Writes go to a temp
 * file (same filesystem), are hashed and fsynced, then renamed into place, so
 * a blob either exists whole under its true digest or not at all. Reads are
 * verified: a blob whose bytes do not hash to its name is E_CORRUPT_BLOB and
 * is never handed out.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, errorCode } from '../errors.js';
import { syncDir } from './atomic-file.js';
import { corruptBlobError, digestHex, DigestStream, sha256Digest } from './digest.js';

/** What a caller may know about a blob before writing it (e.g. from a registry manifest). */
export interface ExpectedBlob {
  digest?: string;
  size?: number;
}

/** The store's blob directory. */
export class BlobStore {
  /** `dir` is `…/blobs/sha256`; `tmpDir` must be on the same filesystem. */
  constructor(readonly dir: string, readonly tmpDir: string) {}

  /** The file of a blob (which may not exist). */
  path(digest: string): string {
    return join(this.dir, digestHex(digest));
  }

  /** True when the blob is present (not verified). */
  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** A unique temp path in the store's tmp dir, tagged with our pid so prune can tell stale ones. */
  tempPath(kind: string): string {
    return join(this.tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}-${kind}`);
  }

  /** Writes a blob atomically and returns its digest and size; checks `expected` when given. */
  async put(source: Readable | Buffer | string, expected: ExpectedBlob = {}): Promise<{ digest: string; size: number }> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.dir, { recursive: true });
    if (typeof source !== 'object' || Buffer.isBuffer(source)) {
      const data = Buffer.isBuffer(source) ? source : Buffer.from(source);
      const digest = sha256Digest(data);
      if (await this.has(digest)) {
        await this.touch(digest);
        return { digest, size: data.length };
      }
      return this.putStream(Readable.from([data]), expected);
    }
    return this.putStream(source, expected);
  }

  private async putStream(source: Readable, expected: ExpectedBlob): Promise<{ digest: string; size: number }> {
    const tmp = this.tempPath('blob');
    const hasher = new DigestStream();
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644, flush: true });
      await pipeline(source, hasher, out);
      const { digest, size } = hasher;
      if (expected.digest !== undefined && expected.digest !== digest) throw corruptBlobError(expected.digest, digest, 'downloaded blob');
      if (expected.size !== undefined && expected.size !== size) {
        throw new BerthError('E_CORRUPT_BLOB', `blob ${digest} has ${size} bytes, expected ${expected.size}`, { hint: 'the source sent a truncated or wrong blob; retry' });
      }
      if (await this.has(digest)) {
        await this.touch(digest);
      } else {
        await rename(tmp, this.path(digest));
        await syncDir(this.dir);
      }
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Moves an existing file (in the store's filesystem) into the store after hashing it; checks `expected`. */
  async adopt(file: string, expected: ExpectedBlob = {}): Promise<{ digest: string; size: number }> {
    const hasher = new DigestStream();
    await pipeline(createReadStream(file), hasher, new Writable({ write: (_c, _e, cb) => cb() }));
    const { digest, size } = hasher;
    if (expected.digest !== undefined && expected.digest !== digest) throw corruptBlobError(expected.digest, digest, 'blob');
    if (expected.size !== undefined && expected.size !== size) throw new BerthError('E_CORRUPT_BLOB', `blob ${digest} has ${size} bytes, expected ${expected.size}`);
    await mkdir(this.dir, { recursive: true });
    if (await this.has(digest)) await this.touch(digest);
    else {
      const fh = await open(file, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
      await rename(file, this.path(digest));
      await syncDir(this.dir);
    }
    return { digest, size };
  }

  /** Marks a blob as recently used, so a concurrent prune's grace period protects it. */
  async touch(digest: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(digest), now, now).catch(() => undefined);
  }

  private missing(digest: string, cause?: unknown): BerthError {
    return new BerthError('E_BLOB_MISSING', `blob ${digest} is missing from the image store`, {
      hint: 'the image is incomplete; remove it (berth rmi -f) and add it again', cause,
    });
  }

  /** Reads a whole blob and verifies its digest. */
  async read(digest: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.path(digest));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw this.missing(digest, err);
      throw err;
    }
    const actual = sha256Digest(data);
    if (actual !== digest) throw corruptBlobError(digest, actual);
    return data;
  }

  /** Reads and parses a JSON blob (manifest, config), verified. */
  async readJson<T>(digest: string): Promise<T> {
    const data = await this.read(digest);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (err) {
      throw new BerthError('E_CORRUPT_BLOB', `blob ${digest} is not valid JSON`, { cause: err });
    }
  }

  /** A stream of the blob that errors with E_CORRUPT_BLOB at its end if the bytes are wrong. */
  async open(digest: string): Promise<Readable> {
    if (!(await this.has(digest))) throw this.missing(digest);
    const check = new DigestStream(digest);
    pipeline(createReadStream(this.path(digest)), check).catch((err: unknown) => check.destroy(err as Error));
    return check;
  }

  /** Verifies a blob without keeping it in memory. */
  async verify(digest: string): Promise<void> {
    const s = await this.open(digest);
    for await (const _ of s) { /* drain */ }
  }

  /** Every blob digest present. */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw err;
    }
  }

  /** Size and modification time of a blob. */
  async stat(digest: string): Promise<{ size: number; mtimeMs: number }> {
    const s = await stat(this.path(digest));
    return { size: s.size, mtimeMs: s.mtimeMs };
  }

  /** Deletes a blob (no error if already gone). */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
