/**
 * Base images berth makes itself, without a network, on first use:
 * `scratch` (no layers), `busybox` (from the host's busybox-static) and
 * `debian:bookworm` (debootstrap from the host's Debian mirror, ~40 s, made
 * once and cached in the store). To add one: write a rootfs maker and add an
 * entry to BASE_IMAGES (see docs/images.md).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { hostBusybox, makeBusyboxRootfs } from './busybox-rootfs.js';
import { hostDebianMirror, makeDebianRootfs } from './debian-rootfs.js';
import { withFileLock } from './file-lock.js';
import type { ImageStore } from './image-store.js';
import type { Image } from './image-views.js';
import type { ContainerConfig, HistoryEntry } from './oci-types.js';
import { normalizeReference } from './reference.js';

/** Progress while a base image is made (the core never prints). */
export type BaseImageProgress = (event: { image: string; message: string }) => void;

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How one base image is made: fill `root`, say what to record. */
interface BaseImageMaker {
  /** What `berth image base` shows. */
  description: string;
  /** Fills `root` (an empty dir) and returns the image's run defaults and history. Absent for `scratch`. */
  make?: (root: string, progress: (message: string) => void) => Promise<{ config: ContainerConfig; history: HistoryEntry; mtime?: Date; level?: number }>;
}

/** The built-in base images, by canonical name. */
export const BASE_IMAGES: Record<string, BaseImageMaker> = {
  [normalizeReference('scratch')]: { description: 'an empty image with no layers' },
  [normalizeReference('busybox')]: {
    description: "busybox-static from the host's /bin/busybox, /etc/passwd (root, nobody), Cmd sh",
    make: async (root) => {
      const info = await hostBusybox();
      await makeBusyboxRootfs(root);
      return {
        config: { Env: [PATH_ENV], Cmd: ['sh'] },
        history: { created: info.mtime.toISOString(), created_by: `berth base image: busybox ${info.version} from /bin/busybox` },
        mtime: info.mtime,
      };
    },
  },
  [normalizeReference('debian:bookworm')]: {
    description: "Debian 12 minbase by debootstrap from the host's apt mirror (~40 s once)",
    make: async (root, progress) => {
      const mirror = await hostDebianMirror('bookworm');
      progress(`debootstrap --variant=minbase bookworm from ${mirror}`);
      await makeDebianRootfs(root, 'bookworm', mirror, (line) => progress(line));
      return {
        config: { Env: [PATH_ENV], Cmd: ['bash'] },
        history: { created: new Date().toISOString(), created_by: `berth base image: debootstrap --variant=minbase bookworm ${mirror}` },
        level: 1,
      };
    },
  },
};

/** True when `ref` names a built-in base image. */
export function isBaseImage(ref: string): boolean {
  try {
    return normalizeReference(ref) in BASE_IMAGES;
  } catch {
    return false;
  }
}

/**
 * Returns the base image `name`, making it first if the store lacks it.
 * Two processes asking at once make it once (a per-image flock).
 */
export async function ensureBaseImage(store: ImageStore, name: string, onProgress: BaseImageProgress = () => undefined): Promise<Image> {
  const canonical = normalizeReference(name);
  const maker = BASE_IMAGES[canonical];
  if (!maker) return store.resolve(name);
  const existing = await store.resolve(canonical).catch(() => undefined);
  if (existing) return existing;
  const lock = join(store.dir, 'locks', `base-${canonical.replace(/[^a-z0-9.-]/g, '_')}.lock`);
  return withFileLock(lock, async () => {
    const again = await store.resolve(canonical).catch(() => undefined);
    if (again) return again;
    const progress = (message: string) => onProgress({ image: name, message });
    if (!maker.make) {
      return store.writeImage({ ref: canonical, layers: [], config: { created: '1970-01-01T00:00:00Z', config: {}, history: [] } });
    }
    const root = store.blobs.tempPath('rootfs');
    await mkdir(root, { recursive: true, mode: 0o755 });
    try {
      const made = await maker.make(root, progress);
      progress('storing the layer');
      const layer = await store.addLayer({ dir: root, mtime: made.mtime }, { level: made.level });
      return await store.writeImage({
        ref: canonical,
        layers: [layer],
        config: { created: made.history.created, config: made.config, history: [made.history] },
      });
    } finally {
      await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
    }
  }, { timeoutMs: 30 * 60_000 });
}

/** Resolves `ref`, making it first when it is a missing base image: what build's FROM and the container driver call. */
export async function resolveImage(store: ImageStore, ref: string, onProgress?: BaseImageProgress): Promise<Image> {
  try {
    return await store.resolve(ref);
  } catch (err) {
    if (errorCode(err) !== 'E_IMAGE_NOT_FOUND' || !isBaseImage(ref)) throw err;
    return ensureBaseImage(store, ref, onProgress);
  }
}
