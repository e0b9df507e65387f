/**
 * Disk images through qemu-img: read an image's format (a corrupt or
 * unknown file fails here, before QEMU starts), make a copy-on-write qcow2
 * overlay over it (so the original is never written) and blank qcow2
 * volumes for `vm.disks`.
 */
import { execFile } from 'node:child_process';

/** What `qemu-img info` says about an image. */
export interface ImageInfo {
  format: string;
  virtualSize: number;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 4 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().split('\n').pop()!)); else resolve(stdout);
    });
  });
}

/** Format and size of an image; rejects when qemu-img cannot read it. */
export async function imageInfo(qemuImg: string, path: string): Promise<ImageInfo> {
  const info = JSON.parse(await run(qemuImg, ['info', '--output=json', '-U', path])) as { format: string; 'virtual-size': number };
  return { format: info.format, virtualSize: info['virtual-size'] };
}

/** Creates `overlay` (qcow2) backed by `base` read-only. */
export async function createOverlay(qemuImg: string, base: string, format: string, overlay: string): Promise<void> {
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', base, '-F', format, overlay]);
}

/** Creates a blank qcow2 volume of `bytes`. */
export async function createVolume(qemuImg: string, path: string, bytes: number): Promise<void> {
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', path, String(bytes)]);
}
