/**
 * Disk images through qemu-img: read an image's format (a corrupt or
 * unknown file fails here, before QEMU starts), make a copy-on-write qcow2
 * overlay over it (so the original is never written) and blank qcow2
 * volumes for `vm.disks`. `qemu-img info` reads only the header: a
 * truncated qcow2 passes it, so images are also checked (`qemu-img check`).
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

/**
 * What is wrong with an image's metadata, or null when nothing is (also for
 * formats qemu-img cannot check, such as raw; leaked clusters are harmless).
 * Reads only metadata: quick even for a large image.
 */
export function checkImage(qemuImg: string, path: string, format: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(qemuImg, ['check', '-U', '--output=json', '-f', format, path], { maxBuffer: 16 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code === 0 || code === 3 || code === 63) return resolve(null); // 3: leaks only; 63: format has no check
      let report: { corruptions?: number; 'check-errors'?: number } = {};
      try { report = JSON.parse(stdout) as typeof report; } catch { /* no report: the message below */ }
      const first = stderr.trim().split('\n')[0] ?? '';
      if (report.corruptions) return resolve(`${report.corruptions} corrupt ${format} clusters (qemu-img check: ${first || 'see qemu-img check'})`);
      resolve(`qemu-img check could not complete: ${first || err?.message || `exit ${code}`}`);
    });
  });
}

/** Creates `overlay` (qcow2) backed by `base` read-only. */
export async function createOverlay(qemuImg: string, base: string, format: string, overlay: string): Promise<void> {
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', base, '-F', format, overlay]);
}

/** Creates a blank qcow2 volume of `bytes`. */
export async function createVolume(qemuImg: string, path: string, bytes: number): Promise<void> {
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', path, String(bytes)]);
}
