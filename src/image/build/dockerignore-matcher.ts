/**
 * Docker-compatible path matching (.dockerignore rules and COPY wildcards)
 * from @balena/dockerignore: Go filepath.Match per segment, `**`, `!`
 * exceptions, a match on a directory covers everything under it.
 */
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';

// The package is CommonJS whose typings declare an ES default export.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

/** Returns a predicate: true when `path` (relative, posix) is matched by `patterns`. */
export function createMatcher(patterns: string | readonly string[]): (path: string) => boolean {
  const ig = ignore().add(typeof patterns === 'string' ? [patterns] : [...patterns]);
  return (path) => path !== '' && path !== '.' && ig.ignores(path);
}

/** The non-empty, non-comment lines of a .dockerignore file. */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
