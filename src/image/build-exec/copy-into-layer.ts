/**
 * Fills a new layer dir for COPY/ADD (and WORKDIR) with Docker's rules (see
 * `CopyAction`): a directory source copies its contents, a file goes to
 * `dest/NAME` when the destination is a directory (named so, or already one
 * in the image), owner 0:0 unless --chown, --chmod on every entry, ADD
 * unpacks local tars. Parent dirs that already exist in the image keep
 * their mode and owner in the layer (so the copy does not change them).
 */
import { copyFile, chmod, lchown, lstat, mkdir, readFile, readdir, readlink, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { x as extractTar } from 'tar';
import { BerthError } from '../../errors.js';
import type { ContextEntry, CopyAction, MkdirAction } from '../build/build-plan.js';
import { resolveOwner, type Owner } from './resolve-owner.js';

/** Where a copy reads and writes. */
export interface CopyPlaces {
  /** The new layer's dir (empty). */
  out: string;
  /** The image so far, merged (read only). */
  imageRoot: string;
  /** The context dir (context sources). */
  contextDir?: string;
  /** The merged source stage or image (`COPY --from`). */
  fromRoot?: string;
}

const readOr = (p: string) => readFile(p, 'utf8').catch(() => '');
const isDirAt = (p: string) => lstat(p).then((s) => s.isDirectory(), () => false);

async function ownerIn(root: string, spec: string): Promise<Owner> {
  return resolveOwner(spec, await readOr(join(root, 'etc/passwd')), await readOr(join(root, 'etc/group')));
}

/** Makes `rel` (absolute in the image) and its parents in `out`, copying each existing dir's metadata from the image. */
async function ensureDirs(out: string, imageRoot: string, rel: string, last?: { owner: Owner; mode: number }): Promise<void> {
  const parts = rel.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    const target = join(out, p);
    if (await isDirAt(target)) continue;
    await mkdir(target);
    const inImage = await lstat(join(imageRoot, p)).catch(() => undefined);
    const isLast = i === parts.length && last;
    if (inImage?.isDirectory()) {
      await chmod(target, inImage.mode & 0o7777);
      await lchown(target, inImage.uid, inImage.gid);
    } else {
      await chmod(target, isLast ? last.mode : 0o755);
      if (isLast) await lchown(target, last.owner.uid, last.owner.gid);
    }
  }
}

/** Writes one entry (dir, file or symlink) at `target`. */
async function put(src: string, target: string, type: ContextEntry['type'], mode: number, owner: Owner, chmodTo?: number): Promise<void> {
  if (type === 'dir') {
    if (!(await isDirAt(target))) await mkdir(target);
    await chmod(target, chmodTo ?? mode);
  } else if (type === 'symlink') {
    await symlink(await readlink(src), target);
  } else {
    await copyFile(src, target);
    await chmod(target, chmodTo ?? mode);
  }
  await lchown(target, owner.uid, owner.gid);
}

/** The longest root `path` lies under ('.' is the whole context). */
function rootOf(path: string, roots: readonly string[]): string {
  let best = '.';
  for (const r of roots) if ((path === r || path.startsWith(`${r}/`)) && (best === '.' || r.length > best.length)) best = r;
  return best;
}

/** Every entry under `abs` (itself first), as context-like entries relative to `abs`. */
async function walk(abs: string, rel = ''): Promise<Array<{ rel: string; type: ContextEntry['type']; mode: number }>> {
  const st = await lstat(abs);
  const type: ContextEntry['type'] = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  const out = [{ rel, type, mode: st.mode & 0o7777 }];
  if (type === 'dir') for (const name of (await readdir(abs)).sort()) out.push(...(await walk(join(abs, name), rel ? `${rel}/${name}` : name)));
  return out;
}

/** Fills `places.out` for one COPY/ADD. */
export async function copyIntoLayer(action: CopyAction, places: CopyPlaces): Promise<void> {
  const { out, imageRoot } = places;
  const owner = action.chown ? await ownerIn(imageRoot, action.chown) : { uid: 0, gid: 0 };
  const dest = action.dest.replace(/\/+$/, '') || '/';
  const destIsDir = action.destIsDir || (await isDirAt(join(imageRoot, dest)));
  const fileTarget = (name: string) => (destIsDir ? posix.join(dest, name) : dest);
  const src = action.source;
  if (destIsDir) await ensureDirs(out, imageRoot, dest);
  else await ensureDirs(out, imageRoot, posix.dirname(dest));
  if (src.type === 'context') {
    const ctx = places.contextDir!;
    const extract = new Set(action.extract);
    for (const entry of src.files) {
      const root = rootOf(entry.path, src.roots);
      if (extract.has(entry.path)) {
        await ensureDirs(out, imageRoot, dest);
        await extractTar({ file: join(ctx, entry.path), cwd: join(out, dest), preserveOwner: false });
        continue;
      }
      let target: string;
      if (entry.path === root) {
        if (entry.type === 'dir') continue; // a directory root copies its contents, not itself
        target = fileTarget(posix.basename(entry.path));
      } else {
        const rel = root === '.' ? entry.path : entry.path.slice(root.length + 1);
        target = posix.join(dest, rel);
        await ensureDirs(out, imageRoot, posix.dirname(target));
      }
      await put(join(ctx, entry.path), join(out, target), entry.type, entry.mode, owner, action.chmod);
    }
    return;
  }
  const from = places.fromRoot!;
  for (const p of src.paths) {
    if (/[*?[]/.test(p)) throw new BerthError('E_BUILD_COPY', `COPY --from with a wildcard (${p}) is not supported`, { hint: 'name the files or their directory' });
    const abs = join(from, p);
    if (!(await lstat(abs).catch(() => undefined))) throw new BerthError('E_BUILD_COPY', `COPY --from: ${p} does not exist in the source stage or image`, { hint: 'check the path (absolute in that image)' });
    for (const e of await walk(abs)) {
      let target: string;
      if (e.rel === '') {
        if (e.type === 'dir') continue;
        target = fileTarget(posix.basename(p));
      } else {
        target = posix.join(dest, e.rel);
        await ensureDirs(out, imageRoot, posix.dirname(target));
      }
      await put(join(abs, e.rel), join(out, target), e.type, e.mode, owner, action.chmod);
    }
  }
}

/** Fills `out` for WORKDIR: the directory (owned by the step's USER when new) and its parents. */
export async function mkdirIntoLayer(action: MkdirAction, out: string, imageRoot: string): Promise<void> {
  const owner = await ownerIn(imageRoot, action.user);
  await ensureDirs(out, imageRoot, action.path, { owner, mode: 0o755 });
}
