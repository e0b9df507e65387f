/**
 * Observation → InstanceStatus for the process driver. Derived, never
 * stored: the shim's exit.json says how it ended; the cgroup says whether
 * anything still runs and whether it is frozen; the shim's pid says whether
 * someone is still watching.
 */
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitResult, InstanceStatus } from '../driver.js';
import type { Cgroup } from './cgroup.js';
import type { ShimExit } from './shim.js';

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** Signal number → name ('SIGKILL'); unknown numbers as 'SIG<n>'. */
export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `SIG${n}`;
}

/** Reads exit.json (null while the instance runs). */
export function readShimExit(dir: string): ShimExit | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')) as ShimExit;
  } catch { return null; }
}

/** The ExitResult for a shim exit; OOM from the cgroup's oom_kill counter. */
export function toExitResult(e: ShimExit, oomKills: number): ExitResult {
  const signal = e.signal === null ? null : signalName(e.signal);
  return { code: e.code, signal, oomKilled: oomKills > 0 && signal === 'SIGKILL', finishedAt: e.finishedAt };
}

/** True when `pid` is alive and its command line mentions `marker` (guards against pid reuse). */
export function isShimAlive(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch { return false; }
}

/** Derives the status from exit.json, the shim and the cgroup. */
export function observe(dir: string, shimPid: number, cgroup: Cgroup, mainPid?: number): InstanceStatus {
  const exit = readShimExit(dir);
  if (exit) return { state: 'exited', exit: toExitResult(exit, cgroup.oomKills()), usage: cgroup.usage() };
  const pids = cgroup.pids();
  const shim = isShimAlive(shimPid, dir);
  if (!shim && pids.length === 0) return { state: 'gone' };
  const status: InstanceStatus = { state: cgroup.isFrozen() ? 'paused' : 'running', usage: cgroup.usage() };
  if (mainPid !== undefined) status.pid = mainPid;
  if (!shim) status.detail = { monitor: 'gone: the exit code will not be known' };
  return status;
}
