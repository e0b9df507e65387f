/**
 * Every key of the dashboard, once: the help overlay and the footer read
 * this table, so what the help says is what the keys do.
 */

/** One key and what it does. */
export interface KeyHelp {
  keys: string;
  what: string;
  /** where it works */
  where: 'everywhere' | 'units' | 'logs/events';
}

/** The key table. */
export const KEYS: KeyHelp[] = [
  { keys: '↑ ↓  j k', what: 'move (PgUp/PgDn, g/G: page, top, bottom)', where: 'everywhere' },
  { keys: 'enter', what: 'detail of the selected unit (why, events, files, usage)', where: 'units' },
  { keys: 's', what: 'start the selected unit', where: 'units' },
  { keys: 'S', what: 'stop it (asks to confirm)', where: 'units' },
  { keys: 'r', what: 'restart it (asks to confirm)', where: 'units' },
  { keys: 'R', what: 'reload it (signal or command)', where: 'units' },
  { keys: 'p', what: 'pause / unpause it', where: 'units' },
  { keys: 'x', what: 'reset a failed or crash-looping unit (asks to confirm)', where: 'units' },
  { keys: 'o', what: 'sort by name, state, restarts, kind', where: 'units' },
  { keys: 'l', what: 'logs of the selected unit (a: all units)', where: 'everywhere' },
  { keys: 'e', what: 'events: the live ledger of the host', where: 'everywhere' },
  { keys: 'i', what: 'images', where: 'everywhere' },
  { keys: 'J', what: 'jobs: last runs and next run', where: 'everywhere' },
  { keys: 'u', what: 'back to units', where: 'everywhere' },
  { keys: '/', what: 'filter units, or search logs and events (esc clears)', where: 'everywhere' },
  { keys: 'space', what: 'pause / resume scrolling', where: 'logs/events' },
  { keys: 'a', what: 'logs: one unit or all units', where: 'logs/events' },
  { keys: 'esc', what: 'back, close, clear the filter', where: 'everywhere' },
  { keys: '?', what: 'this help', where: 'everywhere' },
  { keys: 'q', what: 'quit', where: 'everywhere' },
];

/** The footer's short list, per view. */
export function footerText(view: string): string {
  if (view === 'logs') return 'space pause · / search · a one/all · ↑↓ scroll · esc back · ? help · q quit';
  if (view === 'events') return 'space pause · / filter · ↑↓ scroll · esc back · ? help · q quit';
  if (view === 'units' || view === 'detail') return 'enter detail · s start · S stop · r restart · R reload · p pause · x reset · l logs · e events · i images · J jobs · / filter · ? help · q quit';
  return 'esc back · ? help · q quit';
}
