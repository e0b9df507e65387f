/**
 * How a unit state looks: a symbol and a word (readable without colour) and
 * a colour (for those who have it). One table, so every view agrees.
 */

/** The look of one state. */
export interface StateLook {
  symbol: string;
  word: string;
  color: string;
}

const LOOKS: Record<string, StateLook> = {
  running: { symbol: '▲', word: 'running', color: 'green' },
  healthy: { symbol: '▲', word: 'healthy', color: 'green' },
  unhealthy: { symbol: '▼', word: 'unhealthy', color: 'red' },
  starting: { symbol: '△', word: 'starting', color: 'cyan' },
  stopping: { symbol: '▽', word: 'stopping', color: 'yellow' },
  paused: { symbol: '●', word: 'paused', color: 'blue' },
  waiting: { symbol: '…', word: 'waiting', color: 'cyan' },
  'backing-off': { symbol: '…', word: 'backing-off', color: 'yellow' },
  'crash-looping': { symbol: '↻', word: 'crash-looping', color: 'red' },
  failed: { symbol: '✕', word: 'failed', color: 'red' },
  exited: { symbol: '○', word: 'exited', color: 'gray' },
  completed: { symbol: '✓', word: 'completed', color: 'green' },
  ready: { symbol: '◆', word: 'ready', color: 'green' },
  created: { symbol: '○', word: 'created', color: 'gray' },
  scheduled: { symbol: '◷', word: 'scheduled', color: 'cyan' },
  recovering: { symbol: '…', word: 'recovering', color: 'cyan' },
};

/** The look of a state; unknown states read as themselves. */
export function lookOf(state: string): StateLook {
  return LOOKS[state] ?? { symbol: '?', word: state, color: 'white' };
}

/** States that count as "up" in the header. */
export function isUp(state: string): boolean {
  return state === 'running' || state === 'healthy' || state === 'unhealthy' || state === 'starting';
}

/** States that count as "in trouble" in the header. */
export function isFailing(state: string): boolean {
  return state === 'failed' || state === 'crash-looping' || state === 'backing-off' || state === 'unhealthy';
}
