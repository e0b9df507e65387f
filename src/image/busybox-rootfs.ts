/**
 * The root filesystem of the built-in `busybox` image, made from the host's
 * static busybox (Debian's busybox-static): the binary, its applet symlinks,
 * root and nobody in /etc/passwd and /etc/group, and the usual empty dirs.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';

const execFileP = promisify(execFile);

/** Where berth looks for a static busybox. */
export const HOST_BUSYBOX = '/bin/busybox';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';
const DIRS: Array<[string, number]> = [
  ['bin', 0o755], ['sbin', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['etc', 0o755], ['root', 0o700],
  ['home', 0o755], ['tmp', 0o1777], ['var/tmp', 0o1777], ['var/www', 0o755], ['var/log', 0o755], ['dev', 0o755], ['proc', 0o555],
  ['sys', 0o555], ['run', 0o755], ['mnt', 0o755],
];

/** Facts about the host busybox, for the image config and history. */
export interface BusyboxInfo {
  version: string;
  mtime: Date;
}

/** Checks the host busybox is there and static enough to run in a container. */
export async function hostBusybox(path = HOST_BUSYBOX): Promise<BusyboxInfo> {
  try {
    const st = await stat(path);
    const { stdout } = await execFileP(path, ['--help']).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const version = /BusyBox (v[^\s]+)/.exec(stdout)?.[1] ?? 'unknown';
    return { version, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000) };
  } catch {
    throw new BerthError('E_BASE_IMAGE', `the busybox base image needs ${path}, which is missing`, { hint: 'apt-get install busybox-static (scripts/setup installs it)' });
  }
}

/** Fills the empty dir `root` with the busybox root filesystem. */
export async function makeBusyboxRootfs(root: string, path = HOST_BUSYBOX): Promise<void> {
  for (const [d, mode] of DIRS) {
    await mkdir(join(root, d), { recursive: true });
    await chmod(join(root, d), mode);
  }
  await copyFile(path, join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  const { stdout } = await execFileP(path, ['--list-full']);
  for (const applet of stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
    if (applet === 'bin/busybox' || applet.includes('..')) continue;
    await mkdir(dirname(join(root, applet)), { recursive: true });
    await symlink('/bin/busybox', join(root, applet)).catch(() => undefined);
  }
  await writeFile(join(root, 'etc/passwd'), PASSWD, { mode: 0o644 });
  await writeFile(join(root, 'etc/group'), GROUP, { mode: 0o644 });
}
