/**
 * Turns a layer blob stream (tar, tar+gzip or tar+zstd) into a plain tar
 * stream, by its magic bytes. gzip uses Node's zlib; zstd uses the `zstd`
 * tool (Node 20's zlib has none).
 */
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../errors.js';

/** The compression of a layer, read from its first bytes. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** Detects gzip (1f 8b) and zstd (28 b5 2f fd) magic; anything else is plain. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  return 'none';
}

/** Peeks the first chunk of a stream without losing it. */
async function peek(source: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* rest(): AsyncGenerator<Buffer> {
    if (!first.done) yield head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

/** Detects a stream's compression without consuming it: use the returned stream. */
export async function peekCompression(source: Readable): Promise<{ compression: Compression; stream: Readable }> {
  const { head, stream } = await peek(source);
  return { compression: detectCompression(head), stream };
}

/** A plain tar stream of a possibly compressed layer stream, plus what it was. */
export async function decompressLayer(source: Readable): Promise<{ tar: Readable; compression: Compression }> {
  const { compression, stream } = await peekCompression(source);
  if (compression === 'none') return { tar: stream, compression };
  const out = new PassThrough();
  if (compression === 'gzip') {
    pipeline(stream, createGunzip(), out).catch((err: unknown) => out.destroy(err as Error));
    return { tar: out, compression };
  }
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => out.destroy(new BerthError('E_TOOL_MISSING', `zstd layers need the zstd tool: ${err.message}`, { hint: 'apt-get install zstd' })));
  pipeline(stream, child.stdin).catch((err: unknown) => out.destroy(err as Error));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Hold the end of `out` until zstd has exited, so a failure is an error rather than a short tar.
  child.stdout.on('data', (d: Buffer) => { if (!out.write(d)) { child.stdout.pause(); out.once('drain', () => child.stdout.resume()); } });
  void done.then((code) => {
    if (code === 0) out.end();
    else out.destroy(new BerthError('E_CORRUPT_BLOB', `zstd could not decompress a layer: ${stderr.trim()}`));
  });
  return { tar: out, compression };
}
