/**
 * CPU % from cumulative CPU time, and a short history per unit for the
 * detail pane's sparklines (pure).
 */
import type { UsageSample } from './dash-client.js';
import type { UnitUsage } from './unit-columns.js';

/** Samples kept per unit (at one every few seconds: the last few minutes). */
export const HISTORY_LENGTH = 120;

/** One unit's recent usage: the last sample and the series for sparklines. */
export interface UsageHistory {
  last: UsageSample;
  current: UnitUsage;
  cpu: number[];
  mem: number[];
}

/** Adds a sample: CPU % is the CPU time since the last sample over the wall time between them. */
export function addSample(prev: UsageHistory | undefined, s: UsageSample): UsageHistory {
  let cpuPct: number | undefined;
  if (prev?.last.cpuNs !== undefined && s.cpuNs !== undefined && s.at > prev.last.at && s.cpuNs >= prev.last.cpuNs) {
    cpuPct = ((s.cpuNs - prev.last.cpuNs) / 1e6 / (s.at - prev.last.at)) * 100;
  }
  const current: UnitUsage = {
    ...(cpuPct !== undefined ? { cpuPct } : {}),
    ...(s.memoryBytes !== undefined ? { memoryBytes: s.memoryBytes } : {}),
    ...(s.memoryLimitBytes !== undefined ? { memoryLimitBytes: s.memoryLimitBytes } : {}),
  };
  const push = (xs: number[], v: number | undefined) => (v === undefined ? xs : [...xs, v].slice(-HISTORY_LENGTH));
  return { last: s, current, cpu: push(prev?.cpu ?? [], cpuPct), mem: push(prev?.mem ?? [], s.memoryBytes) };
}
