/**
 * Observation → InstanceStatus for the VM driver. Derived, never stored:
 * the shim's exit.json says how the guest ended (its command's code from
 * the `BERTH-EXIT` marker, else QEMU's own ending); QEMU's pid says whether
 * it runs; QMP `query-status` says running or paused.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitResult } from '../driver.js';
import { signalName } from '../process/state.js';
import type { VmShimExit } from './shim.js';

/** Reads exit.json (null while the guest runs). */
export function readVmExit(dir: string): VmShimExit | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')) as VmShimExit;
  } catch { return null; }
}

/**
 * How the unit ended: the signal that killed the guest's command, or its
 * code, when its init reported one; SIGKILL
 * when berth had to quit QEMU (`forced` marker) or QEMU was killed; else
 * QEMU's exit code (a disk-image guest that powered off: 0).
 */
export function toExitResult(e: VmShimExit, forced: boolean): ExitResult {
  const base = { oomKilled: false, finishedAt: e.finishedAt };
  if (e.guestSignal) return { ...base, code: null, signal: signalName(e.guestSignal) };
  if (e.guest !== null) return { ...base, code: e.guest, signal: null };
  if (forced) return { ...base, code: null, signal: 'SIGKILL' };
  if (e.signal !== null) return { ...base, code: null, signal: signalName(e.signal) };
  return { ...base, code: e.code, signal: null };
}

/** The ExitResult of a finished instance folder, or null while it runs. */
export function exitOf(dir: string): ExitResult | null {
  const e = readVmExit(dir);
  return e ? toExitResult(e, existsSync(join(dir, 'forced'))) : null;
}

/** True when `pid` is alive and its command line mentions `marker` (guards against pid reuse). */
export function isAlive(pid: number | undefined, marker: string): boolean {
  if (!pid) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch { return false; }
}

/** CPU time and RSS of a host process from /proc (QEMU's: the guest's cost on the host). */
export function procUsage(pid: number): { cpuNs: number; memoryBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const rssPages = Number(f[21]);
    return { cpuNs: Math.round((ticks * 1e9) / 100), memoryBytes: rssPages * 4096 };
  } catch { return undefined; }
}

/** Live pids whose command line mentions `marker` (an instance folder: its shim and QEMU). */
export function pidsMentioning(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try { if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name)); } catch { /* gone */ }
  }
  return out;
}
