/**
 * Keeps the initramfs cache (initramfs.ts) bounded. Entries:
 * `base-*.cpio.gz` (an image's merged layers; sidecar `.json` lists the
 * layer dirs), `extras-*.cpio.gz` (berth's /init, busybox, modules) and
 * `initrd-*.img` (the two concatenated; sidecar names its base). An entry's
 * last use is its sidecar's mtime, touched whenever a start uses it (the
 * entry's own mtime stays the build time).
 *
 * Pruned after each new build (and on demand, e.g. from an image GC):
 * leftovers of interrupted builds; entries of images whose layer dirs are
 * gone (the image was removed), with the initrds built from them; entries
 * not used for `maxAgeMs`; then the least recently used until the cache
 * fits `maxBytes`. An entry used within `graceMs` is never removed: a start
 * may be between building it and QEMU reading it.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bounds of the cache. */
export interface CachePolicy {
  maxAgeMs: number;
  maxBytes: number;
  graceMs: number;
}

/** 14 days, 2 GiB, 10 minutes. */
export const DEFAULT_CACHE_POLICY: CachePolicy = { maxAgeMs: 14 * 86_400_000, maxBytes: 2 << 30, graceMs: 600_000 };

/** One file of the cache as the planner sees it. */
export interface CacheEntry {
  name: string;
  kind: 'base' | 'extras' | 'initrd' | 'tmp';
  bytes: number;
  /** epoch ms */
  lastUsed: number;
  /** base: the layer dirs it was merged from */
  layers?: string[];
  /** initrd: the base it was built from (null: scratch) */
  base?: string | null;
}

/** What the planner decided to remove, and why (one line). */
export interface PruneDecision {
  name: string;
  why: string;
}

const DAY = 86_400_000;

/** Pure: which entries to remove under `policy` at `now`. */
export function planPrune(entries: CacheEntry[], policy: CachePolicy, now: number, layerExists: (dir: string) => boolean): PruneDecision[] {
  const out = new Map<string, string>();
  const fresh = (e: CacheEntry) => now - e.lastUsed < policy.graceMs;
  const drop = (e: CacheEntry, why: string) => { if (!fresh(e) && !out.has(e.name)) out.set(e.name, why); };
  for (const e of entries) {
    if (e.kind === 'tmp') drop(e, 'leftover of an interrupted build');
    const gone = e.layers?.find((l) => !layerExists(l));
    if (e.kind === 'base' && gone) drop(e, `its image is gone (no layer ${gone})`);
  }
  for (const e of entries) {
    if (e.kind === 'initrd' && e.base && out.has(e.base) && out.get(e.base)!.startsWith('its image is gone')) drop(e, `built from ${e.base}, whose image is gone`);
    if (now - e.lastUsed > policy.maxAgeMs) drop(e, `not used for ${Math.floor((now - e.lastUsed) / DAY)} days`);
  }
  let total = entries.filter((e) => !out.has(e.name)).reduce((n, e) => n + e.bytes, 0);
  for (const e of [...entries].sort((a, b) => a.lastUsed - b.lastUsed)) {
    if (total <= policy.maxBytes) break;
    if (out.has(e.name) || fresh(e)) continue;
    out.set(e.name, `least recently used while the cache is over ${Math.round(policy.maxBytes / (1 << 20))} MiB`);
    total -= e.bytes;
  }
  return [...out].map(([name, why]) => ({ name, why }));
}

/** Marks a cache file as used now (its sidecar's mtime; created if missing). */
export function touchEntry(path: string): void {
  const now = new Date();
  try { utimesSync(`${path}.json`, now, now); } catch {
    try { writeFileSync(`${path}.json`, '{}\n'); } catch { /* removed meanwhile: rebuilt next time */ }
  }
}

/** Writes the sidecar of an entry (layers of a base, base of an initrd). */
export function writeEntryMeta(path: string, meta: { layers?: string[]; base?: string | null }): void {
  writeFileSync(`${path}.json`, `${JSON.stringify(meta)}\n`);
}

/** Reads the cache folder as entries (sidecars folded in). */
export function readCache(dir: string): CacheEntry[] {
  if (!existsSync(dir)) return [];
  const out: CacheEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.json')) continue;
    let st;
    try { st = statSync(join(dir, name)); } catch { continue; }
    const kind = /\.(tmp|tree)-|\.mnt$/.test(name) ? 'tmp' : name.startsWith('base-') ? 'base' : name.startsWith('extras-') ? 'extras' : name.startsWith('initrd-') ? 'initrd' : undefined;
    if (!kind) continue;
    let meta: { layers?: string[]; base?: string | null } = {};
    let used = st.mtimeMs;
    try {
      meta = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as typeof meta;
      used = Math.max(used, statSync(join(dir, `${name}.json`)).mtimeMs);
    } catch { /* built before sidecars, or none */ }
    const bytes = st.isDirectory() ? 0 : st.size;
    out.push({ name, kind, bytes, lastUsed: used, ...(meta.layers ? { layers: meta.layers } : {}), ...(meta.base !== undefined ? { base: meta.base } : {}) });
  }
  return out;
}

/** Applies planPrune to the folder; returns what it removed. Safe to call while other starts run (fresh entries are kept). */
export function pruneInitramfsCache(dir: string, policy: Partial<CachePolicy> = {}, now = Date.now()): PruneDecision[] {
  const removed = planPrune(readCache(dir), { ...DEFAULT_CACHE_POLICY, ...policy }, now, existsSync);
  for (const r of removed) {
    rmSync(join(dir, r.name), { recursive: true, force: true });
    rmSync(join(dir, `${r.name}.json`), { force: true });
  }
  // sidecars whose entry is gone
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.json') && !existsSync(join(dir, name.slice(0, -5)))) rmSync(join(dir, name), { force: true });
    }
  }
  return removed;
}
