/**
 * The micro-VM's initramfs: the image's rootfs (its layers merged with
 * overlay semantics, whiteouts honoured, by mounting them as a read-only
 * overlay in a private mount namespace) as one gzip'ed newc cpio, followed
 * by a second small archive with berth's /init, a static busybox and the
 * kernel modules under /.berth. The kernel unpacks concatenated archives in
 * order, so berth's /init wins over the image's.
 *
 * Cached under `dir`: `base-<hash of layer dirs>.cpio.gz` (layer dirs are
 * immutable) and `initrd-<hash of base + extras>.img`; kept bounded by
 * initramfs-cache.ts after each new build.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BERTH_DIR, BLK_MODULES, NET_MODULES, NINEP_MODULES } from './init-script.js';
import { pruneInitramfsCache, touchEntry, writeEntryMeta, type CachePolicy, type PruneDecision } from './initramfs-cache.js';

/** Inputs of one initramfs. */
export interface InitramfsInput {
  /** overlay lowerdirs, top-most first (may be empty: scratch) */
  layers: string[];
  init: string;
  /** a static busybox for the guest */
  busybox: string;
  /** module name → .ko path (only those the init may load) */
  modules: Record<string, string>;
  /** bounds of the cache, applied after a new initrd is built (defaults: DEFAULT_CACHE_POLICY) */
  cache?: Partial<CachePolicy>;
  /** told what a prune after a new build removed */
  onPruned?: (removed: PruneDecision[]) => void;
}

/** A temp-name suffix unique across processes and concurrent starts in one process. */
const uniq = () => `${process.pid}-${randomBytes(4).toString('hex')}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);

function sh(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script, 'sh', ...args], { maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message)); else resolve();
    });
  });
}

/** Finds the modules the init loads under a kernel's modules folder. */
export function findModules(modulesDir: string): Record<string, string> {
  const want = new Set([...NET_MODULES, ...BLK_MODULES, ...NINEP_MODULES]);
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko') && want.has(e.name.slice(0, -3))) out[e.name.slice(0, -3)] = p;
    }
  };
  if (existsSync(modulesDir)) walk(modulesDir);
  return out;
}

const CPIO = 'find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc --quiet -R +0:+0 | gzip -1';
const CPIO_KEEP_OWNER = 'find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc --quiet | gzip -1';

/** Builds in flight in this process, by output path: concurrent starts of one image build it once. */
const inFlight = new Map<string, Promise<string>>();
function once(out: string, build: () => Promise<void>): Promise<string> {
  if (existsSync(out)) {
    touchEntry(out);
    return Promise.resolve(out);
  }
  let p = inFlight.get(out);
  if (!p) {
    p = build().then(() => out).finally(() => inFlight.delete(out));
    inFlight.set(out, p);
  }
  return p;
}

/** The image part, merged and archived once per set of layers. */
async function baseArchive(dir: string, layers: string[]): Promise<string | null> {
  if (layers.length === 0) return null;
  const out = join(dir, `base-${sha(layers.join('\n'))}.cpio.gz`);
  return once(out, () => buildBase(out, layers));
}

async function buildBase(out: string, layers: string[]): Promise<void> {
  const tmp = `${out}.tmp-${uniq()}`;
  try {
    if (layers.length === 1) {
      await sh(`cd "$1" && ${CPIO_KEEP_OWNER} > "$2"`, [layers[0]!, tmp]);
    } else {
      const mnt = `${tmp}.mnt`;
      mkdirSync(mnt, { recursive: true });
      // a read-only overlay with no upper dir; the mount vanishes with the namespace
      await sh(`exec unshare -m --propagation private sh -c 'mount -t overlay overlay -o ro,lowerdir="$1" "$2" && cd "$2" && ${CPIO_KEEP_OWNER} > "$3"' sh "$1" "$2" "$3"`,
        [layers.join(':'), mnt, tmp]);
      rmSync(mnt, { recursive: true, force: true });
    }
    renameSync(tmp, out);
    writeEntryMeta(out, { layers });
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** berth's part: /init, /.berth/busybox, /.berth/modules. */
async function extrasArchive(dir: string, input: InitramfsInput, key: string): Promise<string> {
  const out = join(dir, `extras-${key}.cpio.gz`);
  return once(out, () => buildExtras(out, input));
}

async function buildExtras(out: string, input: InitramfsInput): Promise<void> {
  const tree = `${out}.tree-${uniq()}`;
  const tmp = `${out}.tmp-${uniq()}`;
  try {
    mkdirSync(join(tree, BERTH_DIR, 'modules'), { recursive: true });
    writeFileSync(join(tree, 'init'), input.init, { mode: 0o755 });
    copyFileSync(input.busybox, join(tree, BERTH_DIR, 'busybox'));
    chmodSync(join(tree, BERTH_DIR, 'busybox'), 0o755);
    for (const [name, path] of Object.entries(input.modules)) copyFileSync(path, join(tree, BERTH_DIR, 'modules', `${name}.ko`));
    await sh(`cd "$1" && ${CPIO} > "$2"`, [tree, tmp]);
    renameSync(tmp, out);
  } finally {
    rmSync(tree, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
}

/** Builds (or reuses) the initramfs and returns its path. */
export async function buildInitramfs(dir: string, input: InitramfsInput): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const bb = statSync(input.busybox);
  const extrasKey = sha([input.init, `${input.busybox}:${bb.size}:${bb.mtimeMs}`, ...Object.entries(input.modules).map(([n, p]) => `${n}=${p}`).sort()].join('\n'));
  const base = await baseArchive(dir, input.layers);
  const extras = await extrasArchive(dir, input, extrasKey);
  const out = join(dir, `initrd-${sha(`${base ?? ''}\n${extras}`)}.img`);
  return once(out, async () => {
    const tmp = `${out}.tmp-${uniq()}`;
    const w = createWriteStream(tmp);
    for (const part of [base, extras]) if (part) await pipeline(createReadStream(part), w, { end: false });
    await new Promise<void>((resolve) => w.end(() => resolve()));
    renameSync(tmp, out);
    writeEntryMeta(out, { base: base ? basename(base) : null });
    const removed = pruneInitramfsCache(dir, input.cache);
    if (removed.length) input.onPruned?.(removed);
  });
}
