/**
 * A read-only view of a stack of unpacked layers, for COPY and WORKDIR to
 * look at the image as it is so far (owners in /etc/passwd, the metadata of
 * existing parent dirs, `COPY --from` sources): no layer is the dir itself,
 * one layer is its dir, more are a read-only overlay mounted for the
 * duration of `fn` and always unmounted after.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';

const execFileP = promisify(execFile);

/** Calls `fn` with the merged root of `layers` (top-most first); `tmp` is a fresh path it may use. */
export async function withMergedView<T>(layers: readonly string[], tmp: string, fn: (root: string) => Promise<T>): Promise<T> {
  if (layers.length === 1) return fn(layers[0]!);
  await mkdir(tmp, { recursive: true, mode: 0o755 });
  let mounted = false;
  try {
    if (layers.length > 1) {
      try {
        await execFileP('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${layers.join(':')}`, tmp]);
      } catch (err) {
        throw new BerthError('E_BUILD_MOUNT', `cannot mount the image's layers to read them: ${(err as { stderr?: string }).stderr?.trim() || String(err)}`, { hint: 'building needs root and overlayfs' });
      }
      mounted = true;
    }
    return await fn(tmp);
  } finally {
    if (mounted) await execFileP('umount', [tmp]).catch(() => execFileP('umount', ['-l', tmp])).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
