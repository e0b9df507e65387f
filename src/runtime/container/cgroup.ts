/**
 * A container's cgroups (`/berth/<id>` under every hierarchy, cgroupfs
 * manager), read and cleaned directly: usage for inspect, procs for top,
 * the OOM-kill counter, kill-all for stop's last resort, rmdir on destroy.
 * Works on v1, hybrid and unified hosts.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where cgroup hierarchies are mounted. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The parent every berth container's cgroup lives under. */
export const CGROUP_PARENT = 'berth';

/** The OCI `linux.cgroupsPath` of a container. */
export function cgroupsPathOf(id: string): string {
  return `/${CGROUP_PARENT}/${id}`;
}

function unifiedOnly(): boolean {
  return existsSync(join(CGROUP_ROOT, 'cgroup.controllers'));
}

/** Existing cgroup directories of a container, one per hierarchy. */
export function cgroupDirs(id: string): string[] {
  if (unifiedOnly()) {
    const dir = join(CGROUP_ROOT, CGROUP_PARENT, id);
    return existsSync(dir) ? [dir] : [];
  }
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync(CGROUP_ROOT);
  } catch { /* no cgroupfs */ }
  return hierarchies.map((h) => join(CGROUP_ROOT, h, CGROUP_PARENT, id)).filter((d) => existsSync(d));
}

/** The directory of `controller` (v1) or the unified one. */
function dirFor(id: string, controller: string): string {
  return unifiedOnly() ? join(CGROUP_ROOT, CGROUP_PARENT, id) : join(CGROUP_ROOT, controller, CGROUP_PARENT, id);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  const t = readText(path)?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Value of `key N` in a flat-keyed cgroup file (memory.events, memory.oom_control, cpu.stat). */
export function keyedValue(text: string | undefined, key: string): number | undefined {
  const m = text === undefined ? null : new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Usage as the kernel counts it; fields missing when the cgroup is gone. */
export interface CgroupUsage {
  cpuNs?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
  pids?: number;
}

// v1 reports "no limit" as a huge page-aligned number
const V1_UNLIMITED = 2 ** 62;

/** Reads memory, memory limit, cpu time and pid count of a container's cgroup. */
export function readUsage(id: string): CgroupUsage {
  if (unifiedOnly()) {
    const dir = dirFor(id, '');
    const usec = keyedValue(readText(join(dir, 'cpu.stat')), 'usage_usec');
    return {
      cpuNs: usec === undefined ? undefined : usec * 1000,
      memoryBytes: readNumber(join(dir, 'memory.current')),
      memoryLimitBytes: readNumber(join(dir, 'memory.max')),
      pids: readNumber(join(dir, 'pids.current')),
    };
  }
  const limit = readNumber(join(dirFor(id, 'memory'), 'memory.limit_in_bytes'));
  return {
    cpuNs: readNumber(join(dirFor(id, 'cpuacct'), 'cpuacct.usage')),
    memoryBytes: readNumber(join(dirFor(id, 'memory'), 'memory.usage_in_bytes')),
    memoryLimitBytes: limit !== undefined && limit < V1_UNLIMITED ? limit : undefined,
    pids: readNumber(join(dirFor(id, 'pids'), 'pids.current')),
  };
}

/** How many times the kernel's OOM killer killed a process in this container. */
export function oomKillCount(id: string): number {
  const file = unifiedOnly() ? join(dirFor(id, ''), 'memory.events') : join(dirFor(id, 'memory'), 'memory.oom_control');
  return keyedValue(readText(file), 'oom_kill') ?? 0;
}

/** Host pids of every process in the container's cgroup. */
export function cgroupPids(id: string): number[] {
  const dir = unifiedOnly() ? dirFor(id, '') : dirFor(id, 'pids');
  const text = readText(join(dir, 'cgroup.procs')) ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

/** SIGKILLs every process in the container's cgroup (cgroup.kill where the kernel has it). */
export function killCgroup(id: string): void {
  for (const dir of cgroupDirs(id)) {
    if (existsSync(join(dir, 'cgroup.kill'))) {
      try {
        writeFileSync(join(dir, 'cgroup.kill'), '1');
      } catch { /* not permitted here: fall through to per-pid kill */ }
    }
  }
  for (const pid of cgroupPids(id)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch { /* already gone */ }
  }
}

/** Removes the container's (empty) cgroup directories. Idempotent; returns those it could not remove. */
export function removeCgroups(id: string): string[] {
  const left: string[] = [];
  for (const dir of cgroupDirs(id)) {
    try {
      rmdirSync(dir);
    } catch {
      left.push(dir);
    }
  }
  return left;
}

/** True when the container's cgroup is frozen (paused): an exec would hang in it. */
export function isFrozen(id: string): boolean {
  if (unifiedOnly()) return readText(join(dirFor(id, ''), 'cgroup.freeze'))?.trim() === '1';
  return readText(join(dirFor(id, 'freezer'), 'freezer.state'))?.trim() === 'FROZEN';
}
