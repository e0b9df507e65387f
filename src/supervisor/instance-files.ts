/**
 * Where a unit's rendered templates live and how its instances see them.
 *
 * Rendered files are written under `<root>/units/<name>/rendered/<dest>`,
 * each replaced atomically (temp + rename). Containers get that folder
 * bind-mounted read-only at /run/berth/config, and a small top layer of
 * symlinks `dest → /run/berth/config/<dest>`: a reload then sees the new
 * file without a restart (a single-file bind mount would keep the old inode).
 * This is how Kubernetes projects ConfigMaps, for the same reason. Build,
 * commit and export bake the real files instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { RenderedFile } from '../config/render-unit.js';

/** Mount point of the rendered folder inside a container. */
export const CONFIG_MOUNT = '/run/berth/config';

/** The rendered folder of a unit. */
export function renderedDir(root: string, unit: string): string {
  return join(root, 'units', unit, 'rendered');
}

/** Writes every rendered file atomically and removes files no longer rendered. */
export function writeRenderedFiles(root: string, unit: string, files: readonly RenderedFile[]): void {
  const dir = renderedDir(root, unit);
  mkdirSync(dir, { recursive: true });
  const keep = new Set<string>();
  for (const f of files) {
    const path = join(dir, f.dest);
    keep.add(path);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.tmp`);
    writeFileSync(tmp, f.content, { mode: f.mode });
    renameSync(tmp, path);
  }
  const sweep = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) sweep(p);
      else if (!keep.has(p)) rmSync(p, { force: true });
    }
  };
  sweep(dir);
}

/**
 * The symlink layer for a set of destinations (immutable once made: an
 * overlay lowerdir must not change under a mounted container, so a new set
 * of destinations gets a new folder).
 */
export function templateLinkLayer(root: string, unit: string, dests: readonly string[]): string | undefined {
  if (dests.length === 0) return undefined;
  const sorted = [...dests].sort();
  const hash = createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16);
  const layer = join(root, 'units', unit, `links-${hash}`);
  if (existsSync(layer)) return layer;
  const tmp = `${layer}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const dest of sorted) {
    const path = join(tmp, dest);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(join(CONFIG_MOUNT, relative('/', dest)), path);
  }
  renameSync(tmp, layer);
  return layer;
}
