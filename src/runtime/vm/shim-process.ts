/**
 * Starting the VM shim (shim.ts) as a detached process: its Perl source is
 * written next to the instances (refreshed when berth's copy changes), it
 * is spawned in its own session with QEMU's argv, and its one stdout line
 * (`started PID`) gives QEMU's pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readShimFirstLine } from '../shim-parts.js';
import { VM_SHIM_SOURCE } from './shim.js';

/** Where the shim lives and how it runs. */
export interface ShimOptions {
  /** the driver's root: the shim is written there */
  root: string;
  perl?: string;
  maxLogBytes?: number;
}

/** Spawns the shim for instance folder `dir`; resolves with QEMU's pid and the (unref'ed) shim child. */
export async function spawnVmShim(o: ShimOptions, dir: string, logPath: string, args: string[]): Promise<{ qemuPid: number; child: ChildProcess }> {
  const shim = ensureShim(o.root);
  const errFd = openSync(join(dir, 'shim.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(o.perl ?? 'perl', [shim, dir, logPath, String(o.maxLogBytes ?? 10 << 20), '--', ...args], { detached: true, stdio: ['ignore', 'pipe', errFd] });
  } finally { closeSync(errFd); }
  const first = await readShimFirstLine(child);
  if (!first.startsWith('started ')) throw new Error(readFileSync(join(dir, 'shim.log'), 'utf8').trim() || 'the VM shim did not start');
  child.unref();
  return { qemuPid: Number(first.slice(8)), child };
}

function ensureShim(root: string): string {
  const path = join(root, 'berth-vm-shim.pl');
  mkdirSync(root, { recursive: true });
  let current = '';
  try { current = readFileSync(path, 'utf8'); } catch { /* first use */ }
  if (current !== VM_SHIM_SOURCE) {
    writeFileSync(`${path}.tmp`, VM_SHIM_SOURCE, { mode: 0o755 });
    renameSync(`${path}.tmp`, path);
  }
  return path;
}

