/**
 * A busybox rootfs layer for container tests, made once from the host's
 * busybox-static and cached under /tmp/berth-test-cache. Tests must treat it
 * as read-only (it is an overlay lowerdir); `layerDigest` lets a test prove
 * that nothing wrote into it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './require-tool.js';

/** Where cached test artefacts live (shared by every test run on this machine). */
export const TEST_CACHE = '/tmp/berth-test-cache';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * Returns the path of a busybox rootfs directory (bin/ with every applet as a
 * symlink, /etc/passwd with root and nobody, /etc/group, /tmp 1777), building
 * it on first use. Safe when several test processes race: built in a temp dir, renamed.
 */
export function busyboxLayer(): string {
  const dir = join(TEST_CACHE, 'busybox-layer-v1');
  if (existsSync(join(dir, 'bin', 'sh'))) return dir;
  const busybox = requireTool('busybox', 'apt-get install busybox-static (scripts/setup installs it)');
  mkdirSync(TEST_CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const sub of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'proc', 'sys', 'dev']) {
    mkdirSync(join(tmp, sub), { recursive: true });
  }
  copyFileSync(busybox, join(tmp, 'bin', 'busybox'));
  chmodSync(join(tmp, 'bin', 'busybox'), 0o755);
  chmodSync(join(tmp, 'tmp'), 0o1777);
  execFileSync('chroot', [tmp, '/bin/busybox', '--install', '-s'], { stdio: 'ignore' });
  writeFileSync(join(tmp, 'etc', 'passwd'), PASSWD);
  writeFileSync(join(tmp, 'etc', 'group'), GROUP);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race
  }
  return dir;
}

/** A cheap fingerprint of a directory tree (paths, sizes, mtimes) to prove a layer was not written. */
export function layerDigest(dir: string): string {
  return execFileSync('sh', ['-c', 'cd "$1" && find . -printf "%p %s %T@ %m\\n" | sort | sha256sum', 'sh', dir], { encoding: 'utf8' }).trim();
}
