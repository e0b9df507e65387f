/**
 * Creates missing mount points of a container in its overlay's upper dir
 * before the runtime starts. In a user namespace the runtime runs as an
 * unmapped-owner stranger to the image's directories and cannot create
 * them itself (`open …/etc/hosts: No such file or directory`). The rootfs
 * is not mounted on the host, so this does what overlayfs' copy-up would:
 * a parent that exists below is made in the upper dir with the same mode,
 * owner and times, so the merged view shows it unchanged.
 */
import { chownSync, existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { resolveInLayers } from './layered-root.js';

/** One OCI mount as far as its target matters. */
export interface MountTarget {
  destination: string;
  type: string;
  source: string;
}

/** Makes the canonical directory `dir` exist in `upper`, copying each missing level's metadata from the layers. */
function copyUpDir(upper: string, layers: readonly string[], dir: string): void {
  let at = '/';
  for (const part of dir.split('/').filter(Boolean)) {
    at = posix.join(at, part);
    const host = join(upper, at);
    if (existsSync(host)) continue;
    const below = resolveInLayers(layers, at);
    if (below && below.path === at && below.stat.isDirectory()) {
      mkdirSync(host, { mode: below.stat.mode & 0o7777 });
      chownSync(host, below.stat.uid, below.stat.gid);
      utimesSync(host, below.stat.atime, below.stat.mtime);
    } else mkdirSync(host, { mode: 0o755 });
  }
}

/**
 * For each mount whose target is missing in the merged view of `layers`
 * (upper first): a file target for a file bind source, else a directory,
 * created in `upper`. Existing targets are left as they are.
 */
export function prepareMountTargets(upper: string, layers: readonly string[], mounts: readonly MountTarget[]): void {
  const all = [upper, ...layers];
  for (const m of mounts) {
    if (resolveInLayers(all, m.destination)) continue;
    // resolve the parent through the image's own symlinks; the last component is created as named
    const parent = resolveInLayers(all, posix.dirname(m.destination))?.path ?? posix.normalize(posix.dirname(m.destination));
    copyUpDir(upper, all, parent);
    const target = join(upper, parent, posix.basename(m.destination));
    const isFile = m.type === 'bind' && existsSync(m.source) && statSync(m.source).isFile();
    if (isFile) writeFileSync(target, '', { flag: 'a' });
    else mkdirSync(target, { recursive: true });
  }
}
