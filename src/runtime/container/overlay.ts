/**
 * The container's root filesystem: an overlay of the image layers
 * (read-only lowerdirs, top-most first) with one upperdir and workdir per
 * container. Mounted before the runtime starts, unmounted on destroy.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { runCommand } from './run-command.js';

/** Where one container's overlay lives. */
export interface OverlayPaths {
  upper: string;
  work: string;
  merged: string;
}

/** The `-o` option string for `mount -t overlay` (pure). */
export function overlayOptions(layers: readonly string[], paths: OverlayPaths): string {
  for (const l of layers) if (/[,:]/.test(l)) throw new Error(`layer path may not contain ',' or ':': ${l}`);
  return `lowerdir=${layers.join(':')},upperdir=${paths.upper},workdir=${paths.work}`;
}

/** True when `path` is a mount point (per /proc/self/mountinfo). */
export function isMountPoint(path: string): boolean {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === path);
}

/** Creates upper/work/merged and mounts the overlay on `merged`. */
export async function mountOverlay(layers: readonly string[], paths: OverlayPaths): Promise<void> {
  for (const dir of [paths.upper, paths.work, paths.merged]) mkdirSync(dir, { recursive: true });
  const r = await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', overlayOptions(layers, paths), paths.merged]);
  if (r.code !== 0) throw new Error(`mount overlay on ${paths.merged}: ${r.stderr.trim()}`);
}

/** Unmounts `merged` if mounted (lazily when busy). Idempotent. */
export async function unmountOverlay(merged: string): Promise<void> {
  if (!isMountPoint(merged)) return;
  const r = await runCommand('umount', [merged]);
  if (r.code !== 0 && isMountPoint(merged)) await runCommand('umount', ['-l', merged]);
}
