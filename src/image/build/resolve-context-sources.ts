/**
 * COPY/ADD sources → the context entries they read, checked against the
 * context index (what the loader found after .dockerignore). A source that
 * leaves the context (`../`, an absolute path, a symlink pointing out) or
 * matches nothing is an error value naming it. Wildcards follow Docker
 * (Go filepath.Match per segment); a matched directory brings its contents.
 */
import { posix } from 'node:path';
import type { ContextEntry } from './build-plan.js';
import { createMatcher } from './dockerignore-matcher.js';

/** The build context as the loader saw it: relative path → entry. */
export type ContextIndex = ReadonlyMap<string, ContextEntry>;

/** What a set of sources reads: the matched roots and every entry under them. */
export interface ResolvedSources {
  roots: string[];
  files: ContextEntry[];
}

/** Why one source could not be resolved; `source` is the index of the bad one. */
export interface SourceProblem {
  source: number;
  message: string;
  hint: string;
}

const GLOB = /[*?[]/;

/** Resolves each source against the context; the first problem wins. */
export function resolveContextSources(sources: string[], index: ContextIndex): ResolvedSources | SourceProblem {
  const roots: string[] = [];
  for (const [i, src] of sources.entries()) {
    const found = resolveOne(src, index);
    if (typeof found === 'string') return { source: i, ...problem(src, found) };
    roots.push(...found);
  }
  const unique = [...new Set(roots)].sort();
  const rootSet = new Set(unique);
  const files: ContextEntry[] = [];
  // One pass over the index: an entry is read when it or one of its parents is a root.
  for (const [path, entry] of index) {
    for (let p = path; ; p = posix.dirname(p)) {
      if (rootSet.has(p)) {
        files.push(entry);
        break;
      }
      if (p === '.' || p === '/') break;
    }
  }
  return { roots: unique, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

type Failure = 'absolute' | 'outside' | 'symlink-out' | 'loop' | 'none';

function problem(src: string, why: Failure): { message: string; hint: string } {
  switch (why) {
    case 'absolute':
      return { message: `source "${src}" is an absolute path`, hint: 'sources are relative to the build context: drop the leading /' };
    case 'outside':
      return { message: `source "${src}" is outside the build context`, hint: 'move the file into the context directory (or build from a parent directory)' };
    case 'symlink-out':
      return { message: `source "${src}" is a symlink that points outside the build context`, hint: 'copy the file itself into the context instead of linking to it' };
    case 'loop':
      return { message: `source "${src}" goes through a symlink loop`, hint: 'fix the symlinks in the context' };
    case 'none':
      return { message: `source "${src}" matches no file in the build context`, hint: 'check the path (relative to the context) and that .dockerignore does not exclude it' };
  }
}

function resolveOne(src: string, index: ContextIndex): string[] | Failure {
  if (src.startsWith('/')) return 'absolute';
  const clean = posix.normalize(src).replace(/\/+$/, '') || '.';
  if (clean === '..' || clean.startsWith('../')) return 'outside';
  if (clean === '.') return ['.'];
  if (GLOB.test(clean)) {
    const matches = createMatcher(clean);
    const hits = [...index.keys()].filter((p) => matches(p) && !matches(posix.dirname(p)));
    return hits.length > 0 ? hits : 'none';
  }
  const real = followLinks(clean, index);
  if (real === undefined) return 'symlink-out';
  if (real === null) return 'loop';
  return index.has(real) ? [real] : 'none';
}

/** The path with every symlink component resolved inside the context; undefined if one leaves it, null on a loop. */
function followLinks(path: string, index: ContextIndex): string | null | undefined {
  let parts = path.split('/');
  for (let hops = 0, i = 0; i < parts.length; i++) {
    const prefix = parts.slice(0, i + 1).join('/');
    const entry = index.get(prefix);
    if (entry?.type !== 'symlink') continue;
    if (++hops > 40) return null;
    const target = entry.linkTarget ?? '';
    if (target.startsWith('/')) return undefined;
    const joined = posix.normalize(posix.join(posix.dirname(prefix), target));
    if (joined === '..' || joined.startsWith('../')) return undefined;
    parts = [...(joined === '.' ? [] : joined.split('/')), ...parts.slice(i + 1)];
    i = -1;
  }
  return parts.join('/') || '.';
}
