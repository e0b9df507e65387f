/**
 * Finds a container's command inside its rootfs before starting it, so a
 * typo gives "executable file `httpd` not found in the image's PATH" instead
 * of a runtime error after namespaces, mounts and cgroups were made.
 * Symlinks are followed as the container would see them (absolute links
 * resolve inside the rootfs, never on the host). The rootfs is a directory or
 * the overlay's layers (top first), read without mounting them.
 */
import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { resolveInLayers } from './layered-root.js';

/** Resolves `path` (absolute, container view) to a host path inside `root` (one directory, or overlay layers top first), or null. */
export function resolveInRoot(root: string | readonly string[], path: string, maxLinks = 40): string | null {
  return resolveInLayers(typeof root === 'string' ? [root] : root, path, maxLinks)?.host ?? null;
}

function isExecutableFile(hostPath: string | null): boolean {
  if (hostPath === null) return false;
  try {
    const st = statSync(hostPath);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** A bind mount as seen by the command lookup: container `target` shows host `source`. */
export interface BindView {
  source: string;
  target: string;
}

/** Host path of a container path: through the longest bind mount covering it, else inside the rootfs. */
function hostPath(root: string | readonly string[], binds: readonly BindView[], full: string): string | null {
  const bind = binds
    .filter((b) => full === b.target || full.startsWith(`${b.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (bind) return join(bind.source, full.slice(bind.target.length));
  return resolveInRoot(root, full);
}

/** The container path of `command` (absolute, relative to cwd, or searched in PATH), or null. */
export function findExecutable(root: string | readonly string[], command: string, pathEnv: string, cwd = '/', binds: readonly BindView[] = []): string | null {
  if (command.includes('/')) {
    const full = command.startsWith('/') ? command : posix.join(cwd, command);
    return isExecutableFile(hostPath(root, binds, full)) ? full : null;
  }
  for (const dir of pathEnv.split(':').filter(Boolean)) {
    const full = posix.join(dir, command);
    if (isExecutableFile(hostPath(root, binds, full))) return full;
  }
  return null;
}
