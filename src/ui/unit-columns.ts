/**
 * The units table as text cells (pure): which columns fit a width, and what
 * each cell says. Narrow terminals drop columns from the right (ports, memory,
 * CPU, uptime…) before a name is cut; name and state always stay.
 */
import type { UnitView } from './dash-client.js';
import { fit, formatAge, formatBytes, formatClock } from './format.js';
import { lookOf } from './unit-state.js';

/** A column of the units table. */
export type ColumnId = 'name' | 'kind' | 'iso' | 'state' | 'health' | 'restarts' | 'up' | 'cpu' | 'mem' | 'ports';

/** One column and its width in cells. */
export interface Column {
  id: ColumnId;
  title: string;
  width: number;
}

/** Measured usage of one unit, as the table shows it. */
export interface UnitUsage {
  cpuPct?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
}

const FIXED: Column[] = [
  { id: 'kind', title: 'KIND', width: 7 },
  { id: 'iso', title: 'ISO', width: 4 },
  { id: 'state', title: 'STATE', width: 21 },
  { id: 'health', title: 'HEALTH', width: 9 },
  { id: 'restarts', title: 'RESTARTS/1h', width: 14 },
  { id: 'up', title: 'UP', width: 7 },
  { id: 'cpu', title: 'CPU', width: 6 },
  { id: 'mem', title: 'MEM', width: 11 },
  { id: 'ports', title: 'PORTS', width: 22 },
];
/** Dropped first to last when the width runs out. */
const DROP_ORDER: ColumnId[] = ['ports', 'mem', 'cpu', 'up', 'restarts', 'health', 'iso', 'kind'];
const NAME_MIN = 12;
const NAME_MAX = 28;

/** The columns that fit `width` cells (one space between columns) for names up to `longestName`. */
export function layoutColumns(width: number, longestName: number): Column[] {
  const wantName = Math.min(NAME_MAX, Math.max(NAME_MIN, longestName));
  let cols = FIXED.slice();
  const used = () => cols.reduce((n, c) => n + c.width + 1, 0);
  for (const id of DROP_ORDER) {
    if (used() + wantName <= width) break;
    cols = cols.filter((c) => c.id !== id);
  }
  const nameWidth = Math.max(4, Math.min(wantName, width - used()));
  return [{ id: 'name', title: 'NAME', width: nameWidth }, ...cols];
}

/** The state cell: symbol, word, and a countdown or the next run where one applies. */
export function stateText(u: UnitView, now: number): string {
  const look = lookOf(u.state);
  if ((u.state === 'backing-off' || u.state === 'crash-looping') && u.timerAt) return `${look.symbol} ${look.word} ${formatAge(u.timerAt - now)}`;
  if (u.kind === 'job' && u.nextRun && !['running', 'starting', 'stopping'].includes(u.state)) return `◷ next ${formatClock(u.nextRun).slice(0, 5)}`;
  return `${look.symbol} ${look.word}`;
}

/** The last exit's cause in a word: oom, a signal, or exit N. */
export function exitCause(u: UnitView): string {
  const x = u.lastExit;
  if (!x) return '';
  if (x.oomKilled) return 'oom';
  if (x.signal) return x.signal;
  return `exit ${x.code ?? '?'}`;
}

const ISO: Record<string, string> = { container: 'ctr', process: 'proc', vm: 'vm', systemd: 'sysd' };

function cell(id: ColumnId, u: UnitView, usage: UnitUsage | undefined, now: number): string {
  const live = u.startedAt !== undefined && ['running', 'healthy', 'unhealthy', 'paused', 'stopping'].includes(u.state);
  switch (id) {
    case 'name': return u.name;
    case 'kind': return u.kind;
    case 'iso': return ISO[u.isolation] ?? u.isolation;
    case 'state': return stateText(u, now);
    case 'health': return u.health === 'healthy' ? '✓ ok' : u.health === 'unhealthy' ? '✕ failing' : u.health === 'starting' ? '… check' : '–';
    case 'restarts': return `${u.restarts}${u.lastExit ? `  ${exitCause(u)}` : ''}`;
    case 'up': return live ? formatAge(now - u.startedAt!) : '–';
    case 'cpu': return live && usage?.cpuPct !== undefined ? `${usage.cpuPct.toFixed(usage.cpuPct < 10 ? 1 : 0)}%` : '–';
    case 'mem':
      if (!live || usage?.memoryBytes === undefined) return '–';
      return usage.memoryLimitBytes ? `${formatBytes(usage.memoryBytes)}/${formatBytes(usage.memoryLimitBytes)}` : formatBytes(usage.memoryBytes);
    case 'ports': return u.ports.map((p) => p.replace(/^(0\.0\.0\.0|\[::\]):/, '')).join(',') || '–';
  }
}

/** Every cell of one row, fitted to its column. */
export function rowCells(u: UnitView, cols: Column[], usage: UnitUsage | undefined, now: number): string[] {
  return cols.map((c) => fit(cell(c.id, u, usage, now), c.width));
}

/** The header cells. */
export function headerCells(cols: Column[]): string[] {
  return cols.map((c) => fit(c.title, c.width));
}
