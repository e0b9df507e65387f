/**
 * Typed views of systemd unit properties (pure). systemd speaks in µs since
 * the epoch, uint64 "infinity" (2^64-1) for unset, and numeric wait codes
 * (CLD_EXITED/KILLED/DUMPED); these helpers turn them into berth's terms.
 */
import { constants } from 'node:os';
import type { ExitResult } from '../runtime/driver.js';

/** What berth reads of a unit (org.freedesktop.systemd1.Unit + .Service). */
export interface UnitProperties {
  id?: string;
  description?: string;
  loadState?: string;
  activeState?: string;
  subState?: string;
  /** epoch ms of the last state change */
  since?: number;
  mainPid?: number;
  /** 1 exited, 2 killed, 3 dumped (CLD_*), 0 not yet */
  execMainCode?: number;
  execMainStatus?: number;
  /** epoch ms */
  execMainExitAt?: number;
  /** service Result: success, exit-code, signal, oom-kill, timeout, … */
  result?: string;
  memoryBytes?: number;
  tasks?: number;
  cpuNs?: number;
  controlGroup?: string;
  freezerState?: string;
  nRestarts?: number;
  /** the service's own STATUS= line (sd_notify) */
  statusText?: string;
}

const UINT64_MAX = (1n << 64n) - 1n;

/** A uint64 as a number, undefined for systemd's "unset" (2^64-1). */
function u64(v: unknown): number | undefined {
  if (typeof v === 'bigint') return v === UINT64_MAX ? undefined : Number(v);
  if (typeof v === 'number') return v;
  return undefined;
}

/** µs since the epoch → ms; 0 (never) → undefined. */
function usToMs(v: unknown): number | undefined {
  const n = u64(v);
  return n ? Math.round(n / 1000) : undefined;
}

const FIELDS: Record<string, (p: UnitProperties, v: unknown) => void> = {
  Id: (p, v) => { p.id = String(v); },
  Description: (p, v) => { p.description = String(v); },
  LoadState: (p, v) => { p.loadState = String(v); },
  ActiveState: (p, v) => { p.activeState = String(v); },
  SubState: (p, v) => { p.subState = String(v); },
  StateChangeTimestamp: (p, v) => { p.since = usToMs(v); },
  MainPID: (p, v) => { p.mainPid = Number(v) || undefined; },
  ExecMainCode: (p, v) => { p.execMainCode = Number(v); },
  ExecMainStatus: (p, v) => { p.execMainStatus = Number(v); },
  ExecMainExitTimestamp: (p, v) => { p.execMainExitAt = usToMs(v); },
  Result: (p, v) => { p.result = String(v); },
  MemoryCurrent: (p, v) => { p.memoryBytes = u64(v); },
  TasksCurrent: (p, v) => { p.tasks = u64(v); },
  CPUUsageNSec: (p, v) => { p.cpuNs = u64(v); },
  ControlGroup: (p, v) => { p.controlGroup = String(v) || undefined; },
  FreezerState: (p, v) => { p.freezerState = String(v); },
  NRestarts: (p, v) => { p.nRestarts = Number(v); },
  StatusText: (p, v) => { p.statusText = String(v); },
};

/** Reads the properties berth knows from a GetAll/PropertiesChanged dictionary (others are ignored). */
export function parseUnitProperties(dict: Record<string, unknown>, into: UnitProperties = {}): UnitProperties {
  for (const [k, v] of Object.entries(dict)) FIELDS[k]?.(into, v);
  return into;
}

/** True when the unit has ended (or never ran): inactive or failed. */
export function isEnded(p: UnitProperties): boolean {
  return p.activeState === 'inactive' || p.activeState === 'failed';
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** Signal number → name ('SIGKILL'); unknown numbers as 'SIG<n>'. */
export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `SIG${n}`;
}

/** Signal name or number → number (`'SIGTERM'`, `'TERM'`, `'15'`); undefined when unknown. */
export function signalNumber(sig: string): number | undefined {
  if (/^\d+$/.test(sig)) return Number(sig);
  const name = sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`;
  return (constants.signals as Record<string, number>)[name];
}

/** How a service's main process ended, from ExecMainCode/ExecMainStatus and Result. */
export function exitFromProperties(p: UnitProperties, now: number): ExitResult {
  const finishedAt = p.execMainExitAt ?? now;
  const oomKilled = p.result === 'oom-kill';
  if (p.execMainCode === 1) return { code: p.execMainStatus ?? null, signal: null, oomKilled, finishedAt };
  if (p.execMainCode === 2 || p.execMainCode === 3) return { code: null, signal: signalName(p.execMainStatus ?? 0), oomKilled, finishedAt };
  // it never started (exec failed before the main process ran): systemd's convention is 203/EXEC etc.
  return { code: null, signal: null, oomKilled, finishedAt };
}
