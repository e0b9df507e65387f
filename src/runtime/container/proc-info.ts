/**
 * Reads what `top` shows about a host process from /proc (stat, status,
 * cmdline). Pure parsers plus one reader; a process that vanished mid-read
 * yields null.
 */
import { readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat that top needs (ticks). */
export interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  starttime: number;
}

/** Parses /proc/<pid>/stat (the command may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state)
  return { ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]), starttime: Number(rest[19]) };
}

/** `Uid:` (real) and `VmRSS:` (bytes) from /proc/<pid>/status. */
export function parseProcStatus(text: string): { uid: number; rssBytes?: number } {
  const uid = Number(/^Uid:\s+(\d+)/m.exec(text)?.[1] ?? -1);
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text)?.[1];
  return { uid, rssBytes: rss === undefined ? undefined : Number(rss) * 1024 };
}

/** One process as top reports it. */
export interface ProcSample {
  pid: number;
  ppid: number;
  uid: number;
  rssBytes?: number;
  cpuPercent: number;
  command: string;
}

const TICKS = 100; // USER_HZ on Linux

/** Reads /proc for `pid`; cpuPercent is the lifetime average, as ps shows it. */
export function readProc(pid: number): ProcSample | null {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const elapsed = uptime - stat.starttime / TICKS;
    const cpu = elapsed > 0 ? ((stat.utime + stat.stime) / TICKS / elapsed) * 100 : 0;
    return { pid, ppid: stat.ppid, uid: status.uid, rssBytes: status.rssBytes, cpuPercent: Math.round(cpu * 10) / 10, command: cmdline };
  } catch {
    return null;
  }
}

/** True when `pid` is alive and its command line contains `marker` (guards against pid reuse). */
export function processAlive(pid: number | undefined, marker?: string): boolean {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    if (marker === undefined) return true;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}
