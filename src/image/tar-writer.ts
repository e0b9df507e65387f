/**
 * Writes a tar stream from a list of entries, using the `tar` package's
 * Header and Pax encoders. node-tar's own Pack skips device nodes and FIFOs
 * and cannot inject synthetic entries in order, both of which layers need
 * (whiteouts, /dev nodes), so the walk is ours and the encoding is theirs.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Header, Pax } from 'tar';

/** One entry of a tar stream. Paths are relative, `/`-separated, no leading `./`. */
export interface TarEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  /** File size (File only). */
  size?: number;
  /** Target of a symlink, or the path of the first link of a hard link. */
  linkpath?: string;
  devmaj?: number;
  devmin?: number;
  /** Absolute path to read a File's content from; absent means empty. */
  source?: string;
}

const BLOCK = 512;

function headerFor(entry: TarEntry): Buffer[] {
  const path = entry.type === 'Directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const size = entry.type === 'File' ? entry.size ?? 0 : 0;
  const header = new Header({
    path, mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, size, mtime: entry.mtime,
    type: entry.type, linkpath: entry.linkpath ?? '', devmaj: entry.devmaj ?? 0, devmin: entry.devmin ?? 0,
  });
  const out: Buffer[] = [];
  if (header.encode()) {
    out.push(new Pax({ path, linkpath: entry.linkpath, size, uid: entry.uid, gid: entry.gid, mtime: entry.mtime }).encode());
  }
  out.push(header.block!);
  return out;
}

async function* contentOf(entry: TarEntry): AsyncGenerator<Buffer> {
  const size = entry.size ?? 0;
  if (entry.type !== 'File' || size === 0) return;
  if (!entry.source) throw new Error(`tar entry ${entry.path} has a size but no source`);
  let seen = 0;
  for await (const chunk of createReadStream(entry.source) as AsyncIterable<Buffer>) {
    const take = Math.min(chunk.length, size - seen);
    if (take > 0) yield take === chunk.length ? chunk : chunk.subarray(0, take);
    seen += take;
  }
  // A file that shrank while being read: pad so the archive stays well-formed.
  if (seen < size) yield Buffer.alloc(size - seen);
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad) yield Buffer.alloc(pad);
}

/** A readable tar stream of the entries, in the order given, ending with the two zero blocks. */
export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for await (const entry of entries) {
      for (const b of headerFor(entry)) yield b;
      yield* contentOf(entry);
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(generate(), { objectMode: false });
}
