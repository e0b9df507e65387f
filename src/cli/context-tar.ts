/**
 * The client's side of a remote `berth build`, as `docker build` does it:
 * the context folder as a tar stream (read while it is sent, never held in
 * memory), after .dockerignore with the build's own matcher, modes,
 * symlinks and bytes as they are. The Dockerfile and .dockerignore always
 * go along; a Dockerfile outside the context (or a symlink) is sent as
 * its content under a hidden name (from the content, so rebuilds stay
 * cached) that the sent .dockerignore leaves out of `COPY .`.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { Header, Pack, ReadEntry } from 'tar';
import { errorCode } from '../errors.js';
import { indexContext, readBuildFiles } from '../image/build/load-build-context.js';

/** A packed context on its way out. */
export interface PackedContext {
  /** the tar bytes, produced as they are read (destroy it to stop reading files) */
  stream: Readable;
  /** the Dockerfile's path inside the archive */
  dockerfile: string;
  /** sum of the file sizes sent (for progress; the tar adds headers) */
  bytes: number;
  entries: number;
}

/** An in-memory file as a tar entry (the hidden Dockerfile, the amended .dockerignore). */
function memoryEntry(path: string, text: string, mode = 0o644): ReadEntry {
  const data = Buffer.from(text);
  const header = new Header({ path, mode, size: data.length, type: 'File', mtime: new Date() });
  header.encode();
  const entry = new ReadEntry(header);
  entry.end(data);
  return entry;
}

/**
 * Packs `contextDir` for upload; `dockerfile` is the `-f` path (default
 * CONTEXT/Dockerfile). Throws the loader's BerthErrors for a missing folder
 * or Dockerfile, before anything is sent.
 */
export async function packBuildContext(contextDir: string, dockerfile?: string): Promise<PackedContext> {
  const dir = resolve(contextDir);
  const files = await readBuildFiles(dir, dockerfile ? resolve(dockerfile) : undefined);
  const index = await indexContext(dir, files.ignore);
  const dfAbs = resolve(files.file);
  const dfRel = relative(dir, dfAbs);
  // a Dockerfile or .dockerignore that is a link is sent as its content: the agent must not follow links
  const isFile = async (p: string) => (await lstat(p).catch(() => undefined))?.isFile() === true;
  const inPlace = dfRel !== '' && !dfRel.startsWith('..') && !isAbsolute(dfRel) && (await isFile(dfAbs));
  const ignorePath = resolve(dir, '.dockerignore');
  const ignoreText = await readFile(ignorePath, 'utf8').catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  const ignoreFromMemory = !inPlace || (ignoreText !== undefined && !(await isFile(ignorePath)));
  const name = inPlace ? dfRel.split(sep).join('/') : `.berth-dockerfile-${createHash('sha256').update(files.text).digest('hex').slice(0, 12)}`;
  const pack = new Pack({ cwd: dir, portable: true, noDirRecurse: true });
  let bytes = 0;
  for (const [path, entry] of index) {
    if ((ignoreFromMemory && path === '.dockerignore') || (!inPlace && path === name)) continue;
    bytes += entry.size;
    pack.add(path);
  }
  if (inPlace) {
    // sent even when .dockerignore leaves it out: the agent has to read it
    if (!index.has(name)) pack.add(name);
  } else {
    pack.add(memoryEntry(name, files.text));
    bytes += Buffer.byteLength(files.text);
  }
  if (ignoreFromMemory) pack.add(memoryEntry('.dockerignore', `${ignoreText ?? ''}${inPlace ? '' : `\n${name}\n`}`));
  else if (ignoreText !== undefined && !index.has('.dockerignore')) pack.add('.dockerignore');
  pack.end();
  // a Node stream, so pipe/pipeline/destroy behave as everywhere else
  return { stream: Readable.from(pack), dockerfile: name, bytes, entries: index.size + 1 };
}
