/**
 * The only file of the build front end that touches the disk: it reads the
 * Dockerfile and .dockerignore, lists the context (lstat, never following
 * symlinks), hashes the context files a build reads (streamed, a few at a
 * time) and ties parse → plan → hash → keys together in `loadBuildPlan`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { BerthError, ConfigError, errorCode } from '../../errors.js';
import { assignCacheKeys, filesToHash } from './assign-cache-keys.js';
import type { BuildPlan, ContextEntry, FileDigest } from './build-plan.js';
import { createMatcher, parseDockerignore } from './dockerignore-matcher.js';
import { parseDockerfile } from './parse-dockerfile.js';
import { listImageRefs, planBuild, type ImageRefUse, type PlanBuildOptions } from './plan-build.js';
import type { ResolvedImage } from './plan-instruction.js';
import type { ContextIndex } from './resolve-context-sources.js';
import { sniffArchive } from './sniff-archive.js';

/** The inputs of a build as read from disk. */
export interface BuildFiles {
  contextDir: string;
  /** Dockerfile path as given (for messages). */
  file: string;
  text: string;
  ignore: string[];
}

/** Reads the Dockerfile (default CONTEXT/Dockerfile) and CONTEXT/.dockerignore. */
export async function readBuildFiles(contextDir: string, dockerfile?: string): Promise<BuildFiles> {
  if (contextDir.trim() === '') {
    throw new ConfigError('E_BUILD_CONTEXT', 'the build context path is empty', { file: 'berth build', line: 1, column: 1, path: 'context' }, {
      hint: 'give the directory to build from, e.g. `berth build -t NAME .`',
    });
  }
  const dir = resolve(contextDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new BerthError('E_BUILD_CONTEXT', `build context ${contextDir} is not a directory`, { hint: 'give an existing directory that holds the Dockerfile and the files it copies' });
  }
  const file = dockerfile ?? join(contextDir, 'Dockerfile');
  const path = isAbsolute(file) ? file : resolve(file);
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new BerthError('E_BUILD_NO_DOCKERFILE', `cannot read ${file}: ${errorCode(err) ?? String(err)}`, { hint: 'create a Dockerfile in the context, or name one with -f', cause: err });
  });
  const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return '';
    throw err;
  });
  return { contextDir: dir, file, text, ignore: parseDockerignore(ignoreText) };
}

/** Lists the context under `dir`, leaving out what the .dockerignore `patterns` exclude. */
export async function indexContext(dir: string, patterns: readonly string[] = []): Promise<ContextIndex> {
  const ignored = createMatcher(patterns);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const out = new Map<string, ContextEntry>();
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(dir, path));
      const skip = ignored(path);
      if (st.isDirectory()) {
        if (!skip) out.set(path, { path, type: 'dir', mode: st.mode & 0o7777, size: 0 });
        if (!skip || hasExceptions) await walk(path);
      } else if (!skip && (st.isFile() || st.isSymbolicLink())) {
        const entry: ContextEntry = { path, type: st.isFile() ? 'file' : 'symlink', mode: st.mode & 0o7777, size: st.isFile() ? st.size : 0 };
        if (st.isSymbolicLink()) entry.linkTarget = await readlink(join(dir, path));
        out.set(path, entry);
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Hashes context files: sha256 of the content for files (streamed, at most
 * `concurrency` open at once, with the archive kind ADD would extract), of
 * the link target for symlinks. Mtimes are never read.
 */
export async function hashContextFiles(dir: string, entries: readonly ContextEntry[], concurrency = 8): Promise<Map<string, FileDigest>> {
  const out = new Map<string, FileDigest>();
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      if (entry.type === 'dir') continue;
      if (entry.type === 'symlink') {
        out.set(entry.path, { digest: `sha256:${createHash('sha256').update(entry.linkTarget ?? '').digest('hex')}` });
        continue;
      }
      out.set(entry.path, await hashFile(join(dir, entry.path)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return out;
}

async function hashFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    if (head.length < 4096) head = Buffer.concat([head, chunk.subarray(0, 4096 - head.length)]);
    hash.update(chunk);
  }
  const archive = sniffArchive(head);
  return { digest: `sha256:${hash.digest('hex')}`, ...(archive ? { archive } : {}) };
}

/** What `loadBuildPlan` needs besides the context directory. */
export interface LoadBuildOptions extends Omit<PlanBuildOptions, 'images' | 'context'> {
  /** `-f`: the Dockerfile, default CONTEXT/Dockerfile. */
  dockerfile?: string;
  /** Looks up images in the store; undefined when absent. */
  resolveImage: (ref: string, use: ImageRefUse) => Promise<ResolvedImage | undefined>;
}

/** A keyed plan ready for `runBuild`, or every error found (ConfigErrors carry file:line:col). */
export interface LoadedBuild {
  plan?: BuildPlan;
  contextDir: string;
  errors: BerthError[];
}

/** Reads, parses, plans, hashes and keys a build. Bad input comes back as errors, never thrown. */
export async function loadBuildPlan(contextDir: string, opts: LoadBuildOptions): Promise<LoadedBuild> {
  try {
    const files = await readBuildFiles(contextDir, opts.dockerfile);
    const parsed = parseDockerfile(files.text, files.file);
    if (!parsed.dockerfile) return { contextDir: files.contextDir, errors: parsed.errors };
    const images: Record<string, ResolvedImage> = {};
    for (const use of listImageRefs(parsed.dockerfile, opts)) {
      const found = await opts.resolveImage(use.ref, use);
      if (found) images[use.ref] = found;
    }
    const context = await indexContext(files.contextDir, files.ignore);
    const planned = planBuild(parsed.dockerfile, { ...opts, images, context });
    if (!planned.plan) return { contextDir: files.contextDir, errors: planned.errors };
    const digests = await hashContextFiles(files.contextDir, filesToHash(planned.plan));
    const keyed = assignCacheKeys(planned.plan, digests);
    return { contextDir: files.contextDir, errors: keyed.errors, ...(keyed.plan ? { plan: keyed.plan } : {}) };
  } catch (err) {
    if (err instanceof BerthError) return { contextDir, errors: [err] };
    return { contextDir, errors: [new BerthError('E_BUILD_CONTEXT', `reading the build context failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })] };
  }
}
