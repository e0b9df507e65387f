/**
 * Directory → layer tar. `packDir` tars a root filesystem (base images);
 * `diffDirToLayer` tars an overlay upper dir for `berth commit`, turning
 * overlay whiteouts (char device 0:0) into OCI `.wh.NAME` files and opaque
 * directories (`trusted.overlay.opaque=y`) into `.wh..wh..opq`. Entries are
 * sorted, so the same tree gives the same bytes (and digest).
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { findOpaqueDirs } from './special-files.js';
import { tarStream, type TarEntry } from './tar-writer.js';

/** Options for {@link packDir}. */
export interface PackOptions {
  /** Convert overlay whiteouts and opaque dirs into OCI whiteouts (upper dirs). */
  whiteouts?: boolean;
  /** Stamp every entry with this time (reproducible base images). */
  mtime?: Date;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

function major(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}
function minor(rdev: number): number {
  return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);
}

async function* walk(root: string, options: PackOptions, opaque: Set<string>): AsyncGenerator<TarEntry> {
  const links = new Map<string, string>();
  async function* visit(rel: string): AsyncGenerator<TarEntry> {
    const abs = rel === '' ? root : join(root, rel);
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = join(root, path);
      const st = await lstat(full);
      const base = { path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: options.mtime ?? st.mtime };
      if (st.isDirectory()) {
        yield { ...base, type: 'Directory' };
        if (options.whiteouts && opaque.has(full)) yield { ...base, path: `${path}/${OPAQUE}`, type: 'File', mode: 0o644, size: 0 };
        yield* visit(path);
      } else if (st.isSymbolicLink()) {
        yield { ...base, type: 'SymbolicLink', linkpath: await readlink(full) };
      } else if (st.isCharacterDevice() && options.whiteouts && st.rdev === 0) {
        yield { ...base, path: rel === '' ? `${WHITEOUT_PREFIX}${name}` : `${rel}/${WHITEOUT_PREFIX}${name}`, type: 'File', mode: 0o644, size: 0 };
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        yield { ...base, type: st.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice', devmaj: major(st.rdev), devmin: minor(st.rdev) };
      } else if (st.isFIFO()) {
        yield { ...base, type: 'FIFO' };
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          yield { ...base, type: 'Link', linkpath: first };
        } else {
          if (st.nlink > 1) links.set(key, path);
          yield { ...base, type: 'File', size: st.size, source: full };
        }
      }
      // Sockets cannot be archived; they are skipped as docker does.
    }
  }
  yield* visit('');
}

/** A tar stream (uncompressed) of everything under `dir`, sorted. */
export function packDir(dir: string, options: PackOptions = {}): Readable {
  async function* entries(): AsyncGenerator<TarEntry> {
    const opaque = new Set(options.whiteouts ? await findOpaqueDirs(dir) : []);
    yield* walk(dir, options, opaque);
  }
  return tarStream(entries());
}

/** The layer tar of an overlay upper dir: what `berth commit` stores. Overlay whiteouts become OCI whiteouts. */
export function diffDirToLayer(upperDir: string): Readable {
  return packDir(upperDir, { whiteouts: true });
}
