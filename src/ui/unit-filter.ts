/**
 * Filtering and sorting the units table (pure).
 */
import type { UnitView } from './dash-client.js';
import { isFailing } from './unit-state.js';

/** The sort orders `o` cycles through. */
export const SORTS = ['name', 'state', 'restarts', 'kind'] as const;
export type SortKey = (typeof SORTS)[number];

/** Units whose name, kind, isolation or state contains every word of `query` (case-insensitive). */
export function filterUnits(units: UnitView[], query: string): UnitView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return units;
  return units.filter((u) => {
    const hay = `${u.name} ${u.kind} ${u.isolation} ${u.state}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** A sorted copy (`name` keeps the input order, which is by name already). */
export function sortUnits(units: UnitView[], key: SortKey): UnitView[] {
  if (key === 'name') return units;
  const byName = (a: UnitView, b: UnitView) => a.name.localeCompare(b.name);
  const rank = (u: UnitView) => (isFailing(u.state) ? 0 : u.state === 'paused' ? 1 : 2);
  const cmp: Record<Exclude<SortKey, 'name'>, (a: UnitView, b: UnitView) => number> = {
    state: (a, b) => rank(a) - rank(b) || a.state.localeCompare(b.state) || byName(a, b),
    restarts: (a, b) => b.restarts - a.restarts || byName(a, b),
    kind: (a, b) => a.kind.localeCompare(b.kind) || byName(a, b),
  };
  return units.slice().sort(cmp[key]);
}

/** The first row index to show so that `selected` stays inside a window of `height` rows. */
export function scrollOffset(current: number, selected: number, height: number, total: number): number {
  if (height <= 0) return 0;
  let top = Math.min(current, Math.max(0, total - height));
  if (selected < top) top = selected;
  if (selected >= top + height) top = selected - height + 1;
  return Math.max(0, top);
}
