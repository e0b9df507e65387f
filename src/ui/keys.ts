/**
 * Every key of the dashboard, once: the help overlay and the footer read
 * this table, so what the help says is what the keys do.
 */

/** One key and what it does. */
export interface KeyHelp {
  keys: string;
  what: string;
  /** where it works */
  where: 'everywhere' | 'units' | 'units/systemd' | 'logs/events';
}

/** The key table. */
export const KEYS: KeyHelp[] = [
  { keys: '↑ ↓  j k', what: 'move (PgUp PgDn g G)', where: 'everywhere' },
  { keys: 'enter', what: 'detail: why, events, files', where: 'units' },
  { keys: 's', what: 'start the selected unit', where: 'units/systemd' },
  { keys: 'S', what: 'stop it (confirms)', where: 'units/systemd' },
  { keys: 'r', what: 'restart it (confirms)', where: 'units/systemd' },
  { keys: 'R', what: 'reload it (signal/command)', where: 'units' },
  { keys: 'p', what: 'pause / unpause it', where: 'units' },
  { keys: 'x', what: 'reset failures (confirms)', where: 'units' },
  { keys: 'o', what: 'cycle the sort order', where: 'units' },
  { keys: 'l', what: 'logs of the selected unit', where: 'everywhere' },
  { keys: 'e', what: "events: the host's ledger", where: 'everywhere' },
  { keys: 'i', what: 'images', where: 'everywhere' },
  { keys: 'J', what: 'jobs: last and next runs', where: 'everywhere' },
  { keys: 'y', what: "systemd: the host's services", where: 'everywhere' },
  { keys: 'u', what: 'back to units', where: 'everywhere' },
  { keys: '/', what: 'filter (in logs: search)', where: 'everywhere' },
  { keys: 'space', what: 'pause / resume scrolling', where: 'logs/events' },
  { keys: 'a', what: 'logs: one unit or all', where: 'logs/events' },
  { keys: 'esc', what: 'back; clear the filter', where: 'everywhere' },
  { keys: '?', what: 'this help', where: 'everywhere' },
  { keys: 'q', what: 'quit', where: 'everywhere' },
];

const FOOTERS: Record<string, string[]> = {
  units: ['enter detail', 's start', 'S stop', 'r restart', 'R reload', 'p pause', 'x reset', 'l logs', 'e events', 'y systemd', 'i images', 'J jobs', '/ filter', 'o sort'],
  logs: ['space pause', '/ search', 'a one/all', '↑↓ scroll', 'esc back'],
  events: ['space pause', '/ filter', '↑↓ scroll', 'esc back'],
  systemd: ['s start', 'S stop', 'r restart', '/ filter', '↑↓ move', 'esc back'],
};

/** The footer for a view: as many of its keys as fit `width`, always ending in "? help · q quit". */
export function footerText(view: string, width = Infinity): string {
  const items = FOOTERS[view === 'detail' ? 'units' : view] ?? ['esc back'];
  const tail = '? help · q quit';
  let text = '';
  for (const item of items) {
    const next = text ? `${text} · ${item}` : item;
    if (next.length + 3 + tail.length > width - 1) break;
    text = next;
  }
  return text ? `${text} · ${tail}` : tail;
}
