/**
 * `berth why UNIT`: one paragraph, from the unit's state and its recent
 * events, saying why it is in that state and why it last restarted. Pure:
 * the caller passes the ledger's tail for the unit and the clock.
 */
import type { BerthEvent, EventOf } from './events.js';
import { formatClock, formatDuration } from './format-duration.js';
import { describeExit } from './restart-tracker.js';
import type { UnitState } from './state.js';

/** What `explainUnit` needs. */
export interface WhyInput {
  unit: string;
  state: UnitState;
  /** the unit's recent events, oldest first (other units' events are ignored) */
  events: readonly BerthEvent[];
  now: number;
  /** the current state of another unit (a dependency); unit.waiting is said once, so its state there may be old */
  stateOf?: (unit: string) => string | undefined;
}

const WORDS = ['no', 'once', 'twice', 'three times', 'four times', 'five times', 'six times', 'seven times', 'eight times', 'nine times', 'ten times'];
const times = (n: number) => WORDS[n] ?? `${n} times`;

type Exited = EventOf<'unit.exited'>;

/** One paragraph explaining the unit's state and its last restart. */
export function explainUnit(input: WhyInput): string {
  const { unit, state, now } = input;
  const events = input.events.filter((e) => (e as { unit?: string }).unit === unit);
  const lastOf = <T extends BerthEvent['type']>(type: T) => findLast(events, type);
  const resetAt = lastOf('unit.reset')?.time ?? -Infinity;
  const exits = events.filter((e): e is Exited => e.type === 'unit.exited' && e.time > resetAt);
  const lastExit = exits[exits.length - 1];
  const history = summarizeExits(exits, now);
  const output = lastExit && lastExit.lastLogLines.length ? ` Last output: ${quoteLines(lastExit.lastLogLines)}` : '';
  const when = (t: number) => `${formatClock(t)} (${formatDuration(now - t)} ago)`;

  switch (state) {
    case 'crash-looping': {
      const e = lastOf('unit.crash-looping');
      const next = e ? `; the start limit was reached, next try at ${formatClock(e.until)} (${inTime(e.until - now)})` : '';
      return `${unit} is crash-looping: ${history || 'it keeps exiting'}${next}.${output}`;
    }
    case 'backing-off': {
      const e = lastOf('unit.backing-off') ?? lastOf('unit.restarting');
      const until = e ? ('until' in e ? e.until : e.time + e.delayMs) : undefined;
      const next = until !== undefined ? `; next try ${until > now ? `in ${formatDuration(until - now)}` : 'due now'} (backoff)` : '';
      return `${unit} is backing off: ${history || 'it exited'}${next}.${output}`;
    }
    case 'failed': {
      const e = lastOf('unit.failed');
      return `${unit} failed and stays down: ${e?.reason ?? (history || 'it exited')}. Run \`berth start ${unit}\` or fix it and apply again.${output}`;
    }
    case 'waiting': {
      const e = lastOf('unit.waiting');
      if (!e) return `${unit} is waiting for its dependencies.`;
      return `${unit} is waiting for ${e.dep} to be ${e.condition}; ${e.dep} is ${input.stateOf?.(e.dep) ?? e.state} (since ${when(e.time)}).`;
    }
    case 'unhealthy': {
      const e = lastOf('unit.unhealthy');
      return `${unit} is running but unhealthy${e ? ` since ${when(e.time)}: the check failed ${times(e.failures)} in a row (${oneLine(e.output)})` : ''}.${restartNote(events, now)}`;
    }
    case 'exited': {
      if (!lastExit) return `${unit} is not running.`;
      const stop = lastOf('unit.stopped');
      const why = stop && stop.time >= lastExit.time - 60_000 && stop.cause === 'manual' ? 'it was stopped on request' : describeExit(toExit(lastExit)).text;
      return `${unit} is not running: ${why} at ${when(lastExit.time)} and stays down.${output}`;
    }
    case 'completed': {
      const e = lastOf('unit.completed') ?? lastExit;
      return e ? `${unit} completed at ${when(e.time)}.` : `${unit} completed.`;
    }
    case 'paused': {
      const e = lastOf('unit.paused');
      return `${unit} is paused${e ? ` since ${when(e.time)}` : ''}; \`berth unpause ${unit}\` resumes it.`;
    }
    case 'created': return `${unit} has not been started yet.`;
    case 'starting': return `${unit} is starting.${restartNote(events, now)}`;
    case 'stopping': return `${unit} is stopping.`;
    default: {
      const up = lastOf('unit.started');
      const since = up ? ` since ${when(up.time)}` : '';
      return `${unit} is ${state}${since}.${restartNote(events, now)}`;
    }
  }
}

/** "It last restarted at … because …", from the newest restarting event. */
function restartNote(events: readonly BerthEvent[], now: number): string {
  const r = findLast(events, 'unit.restarting');
  if (!r) return '';
  return ` It last restarted at ${formatClock(r.time)} (${formatDuration(now - r.time)} ago) because: ${r.reason}.`;
}

/** "it exited with code 3 seven times in the last 2m" (or a mixed summary). */
function summarizeExits(exits: readonly Exited[], now: number): string {
  if (exits.length === 0) return '';
  const last = exits[exits.length - 1]!;
  const lastText = describeExit(toExit(last)).text;
  const span = formatDuration(now - exits[0]!.time);
  if (exits.length === 1) return `it ${lastText.replace(/^exited /, 'exited ')} ${formatDuration(now - last.time)} ago`;
  const same = exits.every((e) => describeExit(toExit(e)).text === lastText);
  return same
    ? `it ${lastText} ${times(exits.length)} in the last ${span}`
    : `it ended ${times(exits.length)} in the last ${span}, last ${lastText}`;
}

function toExit(e: Exited) {
  return { code: e.code, signal: e.signal, oomKilled: e.oomKilled, finishedAt: e.time };
}

function findLast<T extends BerthEvent['type']>(events: readonly BerthEvent[], type: T): EventOf<T> | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === type) return events[i] as EventOf<T>;
  return undefined;
}

const inTime = (ms: number) => (ms > 0 ? `in ${formatDuration(ms)}` : 'due now');
const oneLine = (s: string) => s.trim().split('\n')[0]!.slice(0, 200);
const quoteLines = (lines: readonly string[]) => `“${lines.slice(-3).map((l) => l.trim()).join(' ⏎ ').slice(0, 300)}”`;
