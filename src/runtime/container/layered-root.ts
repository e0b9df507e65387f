/**
 * Looks paths up in an overlay's merged tree straight from its layer
 * directories, without mounting it: the container's rootfs is mounted only
 * inside its own mount namespace (see create-wrapper.ts), so the host-side
 * checks before a start (command, user, mount points) read the layers the way
 * overlayfs would merge them. Rules followed: the topmost entry wins; a
 * whiteout (char device 0:0) hides everything below; directories merge with
 * directories below them until a layer holds a non-directory there; symlinks
 * resolve inside the root, never on the host. Opaque directories (an xattr,
 * unreadable from Node without a process) are treated as merged: a path one
 * hides is then found here and the runtime reports it instead.
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';

/** Where a container path was found: its host file, its canonical container path, and its stat. */
export interface LayeredEntry {
  host: string;
  /** the path with every symlink resolved (container view) */
  path: string;
  stat: Stats;
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * The topmost entry for `name` inside the directory `dir` (canonical), looked
 * up in `layers` (those where `dir` is a directory, top first). Returns the
 * entry and the layers in which it is a directory (for the next step).
 */
function lookup(layers: readonly string[], dir: string, name: string): { host: string; stat: Stats; below: string[] } | null {
  const path = posix.join(dir, name);
  for (let i = 0; i < layers.length; i++) {
    const host = join(layers[i]!, path);
    const st = lstatOrNull(host);
    if (!st) continue;
    if (isWhiteout(st)) return null;
    const below: string[] = [];
    if (st.isDirectory()) {
      for (const l of layers.slice(i)) {
        const s = lstatOrNull(join(l, path));
        if (!s || !s.isDirectory()) {
          if (s) break; // a whiteout or file ends the merge
          continue;
        }
        below.push(l);
      }
    }
    return { host, stat: st, below };
  }
  return null;
}

/**
 * Resolves `path` (absolute, container view) through `layers` (top first),
 * following symlinks as the container would. Null when it does not exist.
 */
export function resolveInLayers(layers: readonly string[], path: string, maxLinks = 40): LayeredEntry | null {
  let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let resolved: string[] = [];
  let dirLayers = [...layers];
  let links = 0;
  let last: { host: string; stat: Stats } | null = null;
  const restart = (parts: string[]) => {
    // walk the new resolved prefix again from the root so that its merge set is right
    resolved = [];
    dirLayers = [...layers];
    pending = [...parts, ...pending];
    last = null;
  };
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      restart(resolved.slice(0, -1));
      continue;
    }
    const dir = `/${resolved.join('/')}`;
    const found = lookup(dirLayers, dir, part);
    if (!found) return null;
    if (found.stat.isSymbolicLink()) {
      if (++links > maxLinks) return null;
      const target = readlinkSync(found.host);
      const parts = target.split('/').filter(Boolean);
      restart(target.startsWith('/') ? parts : [...resolved, ...parts]);
      continue;
    }
    if (pending.length > 0 && !found.stat.isDirectory()) return null;
    resolved.push(part);
    dirLayers = found.below;
    last = found;
  }
  if (last === null) {
    // the root itself
    const top = layers[0]!;
    return { host: top, path: '/', stat: lstatSync(top) };
  }
  const entry = last as { host: string; stat: Stats };
  return { host: entry.host, path: `/${resolved.join('/')}`, stat: entry.stat };
}
