/**
 * The agent's side of a remote `berth build`: the request body is a tar of
 * the client's build context, unpacked (streamed, with a size limit) into a
 * fresh folder under the state dir. Entries that would leave the folder and
 * device files are refused; symlinks are kept as links (absolute ones too)
 * and never followed while unpacking.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Unpack, type ReadEntry } from 'tar';
import { BerthError } from '../errors.js';

/** The largest context an agent accepts (bytes of tar); a constant so tests and packagers can see it. */
export const MAX_BUILD_CONTEXT_BYTES = 2 * 1024 ** 3;

/** What `unpackBuildContext` takes besides the stream and the folder. */
export interface UnpackOptions {
  /** default MAX_BUILD_CONTEXT_BYTES */
  maxBytes?: number;
  signal?: AbortSignal;
}

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const human = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

// the folders of this process's uploads in flight; one agent serves a root, so any other is a leftover
const active = new Set<string>();

/**
 * A fresh, empty folder for one upload under `<root>/build-contexts/`. It
 * first removes folders no upload of this agent is using: those a killed
 * agent left behind.
 */
export async function makeContextDir(root: string): Promise<string> {
  const parent = join(root, 'build-contexts');
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!active.has(join(parent, name))) await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
  const dir = join(parent, `ctx-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  active.add(dir);
  return dir;
}

/** Why an entry may not be unpacked, or undefined when it may. */
export function refuseEntry(path: string, type: string, linkpath?: string): string | undefined {
  const leaves = (p: string) => posix.isAbsolute(p) || p.split('/').includes('..');
  if (leaves(path)) return `${path} leaves the context folder`;
  if (!ALLOWED.has(type)) return `${path} is a ${type} (only files, folders and links may be sent)`;
  if (type === 'Link' && (!linkpath || leaves(linkpath))) return `${path} is a hard link to ${linkpath ?? '?'}, outside the context`;
  return undefined;
}

/** Counts the bytes going through and fails the stream past `max`. */
function limitBytes(max: number, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.bytes += chunk.length;
      if (counted.bytes > max) {
        done(new BerthError('E_BUILD_CONTEXT_TOO_BIG', `the build context is over the agent's limit of ${human(max)}`, { hint: 'leave large files out with .dockerignore' }));
      } else done(null, chunk);
    },
  });
}

/**
 * Unpacks the tar on `body` into `dir` (which must be empty). Absolute
 * symlinks, which tar would rewrite, are made afterwards as they were
 * sent, only where no file or folder already stands. Throws BerthError
 * E_BUILD_CONTEXT_UNSAFE / _TOO_BIG / _BAD on a refused or broken archive.
 */
export async function unpackBuildContext(body: Readable, dir: string, opts: UnpackOptions = {}): Promise<{ bytes: number; entries: number }> {
  const counted = { bytes: 0 };
  const absoluteLinks: { path: string; target: string }[] = [];
  let entries = 0;
  let refused: BerthError | undefined;
  const unpack = new Unpack({
    cwd: dir,
    strict: true,
    preserveOwner: false,
    filter: (path: string, entry: ReadEntry | unknown) => {
      const e = entry as ReadEntry;
      const why = refuseEntry(path, e.type, e.linkpath);
      if (why) {
        refused ??= new BerthError('E_BUILD_CONTEXT_UNSAFE', `refused the build context: ${why}`, { hint: 'send a plain folder (berth build packs one for you)' });
        unpack.abort(refused);
        return false;
      }
      entries++;
      if (e.type === 'SymbolicLink' && e.linkpath && posix.isAbsolute(e.linkpath)) {
        absoluteLinks.push({ path, target: e.linkpath });
        return false;
      }
      return true;
    },
  });
  try {
    await pipeline(body, limitBytes(opts.maxBytes ?? MAX_BUILD_CONTEXT_BYTES, counted), unpack, ...(opts.signal ? [{ signal: opts.signal }] as const : []));
  } catch (err) {
    if (refused) throw refused;
    if (err instanceof BerthError) throw err;
    if ((err as Error).name === 'AbortError') throw new BerthError('E_ABORTED', 'the upload of the build context was aborted', { cause: err });
    throw new BerthError('E_BUILD_CONTEXT_BAD', `the build context could not be unpacked: ${(err as Error).message}`, { hint: 'the upload broke off or is not a tar archive; try again', cause: err });
  }
  if (refused) throw refused;
  for (const link of absoluteLinks) await placeLink(dir, link.path, link.target);
  return { bytes: counted.bytes, entries };
}

/**
 * Refuses a Dockerfile (path inside `dir`) or .dockerignore that is not a
 * plain file inside the folder: the build reads both, and reading follows
 * links, which could reach the agent's own files.
 */
export async function checkBuildInputs(dir: string, dockerfile: string): Promise<void> {
  const top = await realpath(dir);
  for (const [rel, needed] of [[dockerfile, true], ['.dockerignore', false]] as const) {
    const path = join(dir, rel);
    const st = await lstat(path).catch(() => undefined);
    if (!st && !needed) continue;
    if (!st) throw new BerthError('E_BUILD_NO_DOCKERFILE', `the uploaded context has no ${rel}`, { hint: 'name the Dockerfile inside the context with -f' });
    const real = await realpath(path);
    if (!st.isFile() || !real.startsWith(`${top}/`)) {
      throw new BerthError('E_BUILD_CONTEXT_UNSAFE', `refused the build context: ${rel} is not a plain file in it`, { hint: 'send the file itself, not a link (berth build does)' });
    }
  }
}

/** Makes one symlink at `rel` under `dir`, refusing when a parent is not a real folder or the place is taken. */
async function placeLink(dir: string, rel: string, target: string): Promise<void> {
  const parts = posix.normalize(rel).split('/').filter((p) => p !== '' && p !== '.');
  let at = dir;
  for (const part of parts.slice(0, -1)) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st) await mkdir(at);
    else if (!st.isDirectory()) throw new BerthError('E_BUILD_CONTEXT_UNSAFE', `refused the build context: ${rel} lies under a link or file`, { hint: 'send a plain folder (berth build packs one for you)' });
  }
  const path = join(at, parts[parts.length - 1]!);
  if (await lstat(path).catch(() => undefined)) throw new BerthError('E_BUILD_CONTEXT_UNSAFE', `refused the build context: ${rel} is sent twice`);
  await symlink(target, path);
}

/** Removes an upload folder; never throws (a leftover goes with the next upload's sweep). */
export async function removeContextDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  active.delete(dir);
}
