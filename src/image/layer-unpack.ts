/**
 * Unpacks one layer blob into a directory usable as an overlay lowerdir.
 * Regular entries go through node-tar (ownership, modes, symlinks, hard
 * links, safe paths); device nodes and FIFOs, which node-tar skips, are made
 * with mknod afterwards. OCI whiteouts become overlay whiteouts: `.wh.NAME`
 * → char device 0:0 named NAME, `.wh..wh..opq` → `trusted.overlay.opaque=y`
 * on its directory. The uncompressed bytes are hashed and checked against
 * the layer's diffID: a mismatch is E_CORRUPT_BLOB.
 */
import { chmod, lchown, lstat, lutimes, mkdir, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Unpack, type ReadEntry } from 'tar';
import { BerthError, errorCode } from '../errors.js';
import { decompressLayer, type Compression } from './decompress.js';
import { DigestStream } from './digest.js';
import { makeNodes, markOpaque, type SpecialNode } from './special-files.js';

/** What unpacking found. */
export interface UnpackResult {
  diffID: string;
  compression: Compression;
  whiteouts: number;
  opaqueDirs: number;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** A layer path made relative and safe, or undefined when it points outside the root. */
export function cleanLayerPath(raw: string): string | undefined {
  const norm = posix.normalize(`/${raw}`).slice(1).replace(/\/$/, '');
  if (norm.split('/').includes('..')) return undefined;
  return norm;
}

function badLayer(message: string): BerthError {
  return new BerthError('E_BAD_LAYER', message, { hint: 'the layer tar is malformed or unsafe; rebuild or re-pull the image' });
}

/** Makes `rel`'s parent directories under `root`, refusing to pass through a symlink. */
async function safeParent(root: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    try {
      const st = await lstat(cur);
      if (!st.isDirectory()) throw badLayer(`layer entry ${rel} goes through ${cur}, which is not a directory`);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
      await mkdir(cur, { mode: 0o755 });
    }
  }
}

/** Unpacks `blob` (tar, tar+gzip, tar+zstd) into the existing empty dir `dir`. */
export async function unpackLayer(blob: Readable, dir: string, expectedDiffID?: string): Promise<UnpackResult> {
  const nodes = new Map<string, SpecialNode>();
  const symlinks = new Map<string, { target: string; uid: number; gid: number; mtime?: Date }>();
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  const problems: string[] = [];
  const modes: Array<{ rel: string; mode: number }> = [];
  const filter = (raw: string, entry: ReadEntry | import('node:fs').Stats): boolean => {
    const e = entry as ReadEntry;
    const rel = cleanLayerPath(raw);
    if (rel === undefined) {
      problems.push(`entry "${raw}" points outside the layer`);
      return false;
    }
    nodes.delete(rel);
    symlinks.delete(rel);
    const base = posix.basename(rel);
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    if (base === OPAQUE) {
      opaque.push(parent);
      return false;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const name = base.slice(WHITEOUT_PREFIX.length);
      if (name === '' || name === '.' || name === '..') problems.push(`bad whiteout "${raw}"`);
      else whiteouts.push(parent === '' ? name : `${parent}/${name}`);
      return false;
    }
    if (e.type === 'CharacterDevice' || e.type === 'BlockDevice' || e.type === 'FIFO') {
      const kind = e.type === 'CharacterDevice' ? 'c' : e.type === 'BlockDevice' ? 'b' : 'p';
      const h = e.header as { devmaj?: number; devmin?: number };
      nodes.set(rel, { path: rel, kind, major: h.devmaj ?? 0, minor: h.devmin ?? 0, mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0 });
      return false;
    }
    if (e.type === 'SymbolicLink') {
      // Made by us after the tar: node-tar would strip absolute targets and refuse ones that climb out,
      // which are normal inside an image (they resolve in the container, not on the host).
      symlinks.set(rel, { target: String(e.linkpath ?? ''), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: e.mtime });
      return false;
    }
    if (e.mode !== undefined && (e.type === 'File' || e.type === 'OldFile' || e.type === 'ContiguousFile' || e.type === 'Directory')) modes.push({ rel, mode: e.mode & 0o7777 });
    return true;
  };
  const { tar, compression } = await decompressLayer(blob);
  const hasher = new DigestStream(expectedDiffID, 'layer (uncompressed)');
  const unpack = new Unpack({
    cwd: dir, filter, preserveOwner: true, chmod: true, processUmask: 0, unlink: true,
    onwarn: (code: string, message: string | Error) => {
      if (code !== 'TAR_ENTRY_INFO') problems.push(`${code}: ${typeof message === 'string' ? message : message.message}`);
    },
  });
  await pipeline(tar, hasher, unpack);
  if (problems.length > 0) throw badLayer(`cannot unpack layer: ${problems.slice(0, 5).join('; ')}`);
  await makeSymlinks(dir, symlinks);
  for (const n of nodes.values()) await safeParent(dir, n.path);
  for (const w of whiteouts) await safeParent(dir, w);
  await makeNodes([
    ...[...nodes.values()].map((n) => ({ ...n, path: join(dir, n.path) })),
    ...whiteouts.map((w): SpecialNode => ({ path: join(dir, w), kind: 'c', major: 0, minor: 0, mode: 0o000, uid: 0, gid: 0 })),
  ]);
  for (const o of opaque) if (o !== '') await safeParent(dir, `${o}/x`);
  await fixModes(dir, modes);
  await markOpaque(opaque.map((o) => (o === '' ? dir : join(dir, o))));
  return { diffID: hasher.digest, compression, whiteouts: whiteouts.length, opaqueDirs: opaque.length };
}

/**
 * Sets the exact modes the tar asked for. node-tar creates files through the
 * process umask and chowns after creating, which drops setuid/setgid and
 * sticky bits; this pass restores them (chmod after chown keeps them).
 */
async function fixModes(dir: string, modes: Array<{ rel: string; mode: number }>): Promise<void> {
  const last = new Map<string, number>();
  for (const m of modes) last.set(m.rel, m.mode);
  for (const [rel, mode] of last) {
    const path = rel === '' ? dir : join(dir, rel);
    const st = await lstat(path).catch(() => undefined);
    if (st && !st.isSymbolicLink() && (st.mode & 0o7777) !== mode) await chmod(path, mode);
  }
}

/** Creates the layer's symlinks verbatim, with their owner and time. */
async function makeSymlinks(dir: string, links: Map<string, { target: string; uid: number; gid: number; mtime?: Date }>): Promise<void> {
  for (const [rel, l] of links) {
    await safeParent(dir, rel);
    const path = join(dir, rel);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) throw badLayer(`layer has both a directory and a symlink at ${rel}`);
    if (st) await rm(path, { force: true });
    await symlink(l.target, path);
    await lchown(path, l.uid, l.gid);
    if (l.mtime) await lutimes(path, l.mtime, l.mtime);
  }
}
