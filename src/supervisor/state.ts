/**
 * The per-unit state machine, as a table (runc `state_linux.go`, s6's
 * state × event table). The supervisor feeds it events; an illegal move is a
 * bug and throws `TransitionError`.
 *
 * ```
 *  created ──wait──▶ waiting ──dep-ready──┐     (dep-failed: stays waiting, says why)
 *     │ start                            │
 *     ▼                                  ▼
 *  starting ◀───────────────────────────┴──────────── backoff-done ─────┐
 *     │ started                                                          │
 *     ▼           healthy            unhealthy                           │
 *  running ─────────────▶ healthy ◀─────────────▶ unhealthy              │
 *     │ ▲ unpause    (all three: pause ▶ paused, stop ▶ stopping,        │
 *     ▼ │             exited ▶ exited)                                   │
 *   paused                                                               │
 *                                                                        │
 *  stopping ──stopped / exited──▶ exited ──backoff──▶ backing-off ───────┤
 *                                   │ ────give-up──▶ crash-looping ──────┘
 *                                   │ ────fail─────▶ failed      (start, reset)
 *                                   │ ────complete─▶ completed   (start, reset)
 *                                   └ start (by hand), reset ▶ created
 *  waiting, backing-off, crash-looping ──stop──▶ exited (nothing runs: no stopping)
 * ```
 *
 * `exited` is where the supervisor asks the restart tracker, then sends
 * `backoff`, `give-up`, `fail` or `complete` (or nothing: a clean exit that
 * stays down stays `exited`).
 *
 * Crash-looping vs backing-off: `backing-off` is an ordinary wait before the
 * next restart (delay × factor^n). When the tracker says the start limit
 * (burst within window) was reached, the unit goes to `crash-looping`
 * instead and waits the cool-down; it is its own state, never shown as
 * running. `backoff-done` leaves either one for `starting`, so the cool-down
 * ends in a fresh try: a unit is never dead forever. `berth reset` (`reset`)
 * clears it at once.
 */
import { TransitionError } from '../errors.js';

/** Every state a unit can be in. */
export const UNIT_STATES = [
  'created', 'waiting', 'starting', 'running', 'healthy', 'unhealthy', 'paused', 'stopping',
  'exited', 'backing-off', 'crash-looping', 'failed', 'completed',
] as const;
export type UnitState = (typeof UNIT_STATES)[number];

/** Every event the state machine accepts. */
export const UNIT_EVENTS = [
  'start', 'wait', 'dep-ready', 'dep-failed', 'started', 'healthy', 'unhealthy', 'exited', 'stop',
  'stopped', 'pause', 'unpause', 'backoff', 'backoff-done', 'give-up', 'fail', 'complete', 'reset',
] as const;
export type UnitEvent = (typeof UNIT_EVENTS)[number];

/** States where the unit's process exists (it may be frozen). */
const LIVE = ['running', 'healthy', 'unhealthy', 'paused'] as const;
/** States where nothing runs and the unit is at rest. */
const DOWN = ['created', 'exited', 'failed', 'completed'] as const;
/** States where nothing runs but a timer is pending. */
const PENDING = ['waiting', 'backing-off', 'crash-looping'] as const;

type Row = Partial<Record<UnitEvent, UnitState>>;

function rows(states: readonly UnitState[], row: Row): Partial<Record<UnitState, Row>> {
  return Object.fromEntries(states.map((s) => [s, row]));
}

function merge(...parts: Partial<Record<UnitState, Row>>[]): Record<UnitState, Row> {
  const table = Object.fromEntries(UNIT_STATES.map((s) => [s, {} as Row])) as Record<UnitState, Row>;
  for (const part of parts) for (const [s, row] of Object.entries(part)) Object.assign(table[s as UnitState], row);
  return table;
}

/** The transition table: `TRANSITIONS[state][event]` is the next state, absent when illegal. */
export const TRANSITIONS: Readonly<Record<UnitState, Readonly<Row>>> = merge(
  rows(DOWN, { start: 'starting', wait: 'waiting' }),
  rows(['exited', 'failed', 'completed', 'backing-off', 'crash-looping'], { reset: 'created' }),
  { exited: { backoff: 'backing-off', 'give-up': 'crash-looping', fail: 'failed', complete: 'completed' } },
  { waiting: { 'dep-ready': 'starting', 'dep-failed': 'waiting', stop: 'exited' } },
  rows(['backing-off', 'crash-looping'], { 'backoff-done': 'starting', wait: 'waiting', stop: 'exited' }),
  { starting: { started: 'running', exited: 'exited', stop: 'stopping' } },
  rows(LIVE, { exited: 'exited', stop: 'stopping' }),
  rows(['running', 'healthy', 'unhealthy'], { healthy: 'healthy', unhealthy: 'unhealthy', pause: 'paused' }),
  { paused: { unpause: 'running' } },
  { stopping: { stopped: 'exited', exited: 'exited' } },
);

/** The next state, or throws `TransitionError` when `event` is illegal in `state`. */
export function transition(state: UnitState, event: UnitEvent): UnitState {
  const next = TRANSITIONS[state]?.[event];
  if (next === undefined) throw new TransitionError(state, event);
  return next;
}

/** True when `event` is legal in `state` (for callers that want to check first). */
export function canTransition(state: UnitState, event: UnitEvent): boolean {
  return TRANSITIONS[state]?.[event] !== undefined;
}

/** True when the unit's process exists (running, healthy, unhealthy or paused). */
export function isLive(state: UnitState): boolean {
  return (LIVE as readonly UnitState[]).includes(state);
}

/** True when a timer will move the unit on by itself (waiting, backing-off, crash-looping). */
export function isPending(state: UnitState): boolean {
  return (PENDING as readonly UnitState[]).includes(state);
}

/**
 * True when dependents waiting for `condition` may start. `started` is met
 * by any live state; `healthy` only by healthy (or running when the unit has
 * no health check); `completed` only by completed.
 */
export function meetsCondition(state: UnitState, condition: 'started' | 'healthy' | 'completed', hasHealthCheck: boolean): boolean {
  if (condition === 'completed') return state === 'completed';
  if (condition === 'healthy') return state === 'healthy' || (!hasHealthCheck && state === 'running');
  return isLive(state) || state === 'completed';
}
