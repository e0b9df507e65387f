import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlobStore } from '../../src/image/blob-store.js';
import { sha256Digest } from '../../src/image/digest.js';

async function withStore(fn: (s: BlobStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bt-blob-'));
  try {
    await fn(new BlobStore(join(dir, 'blobs', 'sha256'), join(dir, 'tmp')), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

test('put stores content under its digest, leaves no temp files, and is idempotent', () =>
  withStore(async (s, dir) => {
    const a = await s.put('hello');
    assert.is(a.digest, sha256Digest('hello'));
    assert.is(a.size, 5);
    const b = await s.put(Readable.from([Buffer.from('hel'), Buffer.from('lo')]));
    assert.equal(b, a);
    assert.is((await s.read(a.digest)).toString(), 'hello');
    assert.equal(await s.list(), [a.digest]);
    assert.equal(await readdir(join(dir, 'tmp')), []);
  }));

test('put with a wrong expected digest or size stores nothing (E_CORRUPT_BLOB)', () =>
  withStore(async (s, dir) => {
    assert.is(await code(s.put(Readable.from([Buffer.from('data')]), { digest: sha256Digest('other') })), 'E_CORRUPT_BLOB');
    assert.is(await code(s.put(Readable.from([Buffer.from('data')]), { digest: sha256Digest('data'), size: 99 })), 'E_CORRUPT_BLOB');
    assert.equal(await s.list(), []);
    assert.equal(await readdir(join(dir, 'tmp')), []);
  }));

test('a corrupted blob is refused by read, readJson, open and verify, naming the digest', () =>
  withStore(async (s) => {
    const { digest } = await s.put('{"a":1}');
    await writeFile(s.path(digest), '{"a":2}');
    for (const read of [() => s.read(digest), () => s.readJson(digest), () => s.verify(digest)]) {
      try {
        await read();
        assert.unreachable('corrupt blob was read');
      } catch (err) {
        assert.is((err as { code?: string }).code, 'E_CORRUPT_BLOB');
        assert.ok((err as Error).message.includes(digest));
      }
    }
    const stream = await s.open(digest);
    let ended = false;
    stream.on('end', () => (ended = true));
    assert.is(await code((async () => { for await (const _ of stream) { /* drain */ } })()), 'E_CORRUPT_BLOB');
    assert.not.ok(ended, 'a corrupt stream never ends cleanly');
  }));

test('missing blobs are E_BLOB_MISSING; bad digests E_BAD_DIGEST', () =>
  withStore(async (s) => {
    assert.is(await code(s.read(sha256Digest('nope'))), 'E_BLOB_MISSING');
    assert.is(await code(s.open(sha256Digest('nope'))), 'E_BLOB_MISSING');
    assert.is(await code(s.read('sha256:../../etc/passwd')), 'E_BAD_DIGEST');
  }));

test('adopt moves a verified file in; a wrong digest leaves the store unchanged', () =>
  withStore(async (s, dir) => {
    const f = join(dir, 'f');
    await writeFile(f, 'content');
    assert.is(await code(s.adopt(f, { digest: sha256Digest('x') })), 'E_CORRUPT_BLOB');
    assert.equal(await s.list(), []);
    const r = await s.adopt(f, { digest: sha256Digest('content') });
    assert.is((await s.read(r.digest)).toString(), 'content');
  }));

test('concurrent puts of the same content all succeed with one blob', () =>
  withStore(async (s) => {
    const data = Buffer.alloc(1 << 20, 7);
    const rs = await Promise.all(Array.from({ length: 8 }, () => s.put(Readable.from([data]))));
    assert.is(new Set(rs.map((r) => r.digest)).size, 1);
    assert.is((await s.list()).length, 1);
    await s.verify(rs[0]!.digest);
  }));

test.run();
