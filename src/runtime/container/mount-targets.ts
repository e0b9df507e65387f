/**
 * Creates missing mount points in the container's rootfs from the host side
 * before the runtime starts. In a user namespace the runtime runs as an
 * unmapped-owner stranger to the image's directories and cannot create
 * them itself (`open …/etc/hosts: No such file or directory`).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { resolveInRoot } from './find-executable.js';

/** One OCI mount as far as its target matters. */
export interface MountTarget {
  destination: string;
  type: string;
  source: string;
}

function hostPathInRoot(root: string, destination: string): string {
  // resolve the parent through the rootfs' own symlinks; the last component is created as named
  const parent = resolveInRoot(root, posix.dirname(destination)) ?? join(root, posix.dirname(destination));
  return join(parent, posix.basename(destination));
}

/** For each mount: a file target for a file bind source, else a directory. Existing targets are left as they are. */
export function prepareMountTargets(root: string, mounts: readonly MountTarget[]): void {
  for (const m of mounts) {
    const target = hostPathInRoot(root, m.destination);
    if (existsSync(target)) continue;
    const isFile = m.type === 'bind' && existsSync(m.source) && statSync(m.source).isFile();
    if (isFile) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, '', { flag: 'a' });
    } else mkdirSync(target, { recursive: true });
  }
}
