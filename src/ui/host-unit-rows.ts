/**
 * The host's systemd services as the dashboard shows them (pure): how a
 * state looks, the filter, the columns that fit a width, and the action a
 * key means (stop and restart ask first).
 */
import type { HostUnitView } from './dash-client.js';
import { fit, formatAge, formatBytes } from './format.js';

/** A systemd ActiveState as a symbol and colour (readable without colour). */
export function hostStateLook(activeState: string): { symbol: string; color: string } {
  switch (activeState) {
    case 'active': return { symbol: '▲', color: 'green' };
    case 'reloading':
    case 'activating': return { symbol: '△', color: 'cyan' };
    case 'deactivating': return { symbol: '▽', color: 'yellow' };
    case 'failed': return { symbol: '✕', color: 'red' };
    case 'maintenance':
    case 'refreshing': return { symbol: '…', color: 'yellow' };
    default: return { symbol: '○', color: 'gray' };
  }
}

/** Units whose name, description, state or sub-state contains every word of `query` (case-insensitive). */
export function filterHostUnits(units: HostUnitView[], query: string): HostUnitView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return units;
  return units.filter((u) => {
    const hay = `${u.name} ${u.description} ${u.activeState} ${u.subState} ${u.loadState}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Column widths for a table `width` cells wide; description takes what is left, or is dropped. */
export interface HostColumns {
  name: number;
  state: number;
  since: number;
  pid: number;
  mem: number;
  description: number;
}

/** The columns that fit: name and state always, then since, PID, memory, description. */
export function layoutHostColumns(width: number, longestName: number): HostColumns {
  const cols: HostColumns = { name: Math.min(32, Math.max(12, longestName)), state: 20, since: 8, pid: 8, mem: 7, description: 0 };
  const used = () => cols.name + cols.state + cols.since + cols.pid + cols.mem + 4 + (cols.description ? cols.description + 1 : 0);
  for (const id of ['mem', 'pid', 'since'] as const) if (used() > width) cols[id] = 0;
  if (used() > width) cols.name = Math.max(8, width - used() + cols.name);
  const rest = width - used() - 1;
  if (rest >= 12) cols.description = rest;
  return cols;
}

/** The state cell: "▲ active running". */
export function hostStateText(u: HostUnitView): string {
  return `${hostStateLook(u.activeState).symbol} ${u.activeState} ${u.subState}`;
}

/** The cells of one row (state separate, to colour it), each fitted to its column. */
export function hostRowCells(u: HostUnitView, cols: HostColumns, now: number): { name: string; state: string; rest: string } {
  const rest: string[] = [];
  if (cols.since) rest.push(fit(u.since ? formatAge(now - u.since) : '–', cols.since));
  if (cols.pid) rest.push(fit(u.mainPid ? String(u.mainPid) : '–', cols.pid));
  if (cols.mem) rest.push(fit(u.memoryBytes !== undefined ? formatBytes(u.memoryBytes) : '–', cols.mem));
  if (cols.description) rest.push(fit(u.description, cols.description));
  return { name: fit(u.name, cols.name), state: fit(hostStateText(u), cols.state), rest: rest.join(' ') };
}

/** The header row. */
export function hostHeader(cols: HostColumns): string {
  const parts = [fit('UNIT', cols.name), fit('STATE', cols.state)];
  if (cols.since) parts.push(fit('SINCE', cols.since));
  if (cols.pid) parts.push(fit('PID', cols.pid));
  if (cols.mem) parts.push(fit('MEM', cols.mem));
  if (cols.description) parts.push(fit('DESCRIPTION', cols.description));
  return parts.join(' ');
}

/** What POST /v1/systemd/units/:name/:verb does. */
export type HostAction = 'start' | 'stop' | 'restart';

/** The action for `key`, with the question to confirm for stop and restart. */
export function hostActionForKey(key: string, name: string): { action: HostAction; confirm?: string } | undefined {
  if (key === 's') return { action: 'start' };
  if (key === 'S') return { action: 'stop', confirm: `stop ${name} (host systemd unit)?` };
  if (key === 'r') return { action: 'restart', confirm: `restart ${name} (host systemd unit)?` };
  return undefined;
}
