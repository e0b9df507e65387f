/**
 * berth's typed event stream: everything that happens to a unit, an apply or
 * the agent is one `BerthEvent`, sequence-numbered by the ledger. The core
 * emits these and never prints; the API streams them, the CLI and the
 * dashboard render them, `berth why` reads them.
 *
 * Add a type by adding a member to `EventBody`; `type` is the discriminant.
 */
import type { ExitCause } from './restart-tracker.js';

/** Why a unit restarted or stopped, as `berth events` and `berth why` show it. */
export type RestartEventCause = ExitCause | 'template' | 'dependency' | 'manual' | 'drift';

/** Fields every stored event has. */
export interface EventEnvelope {
  /** 1, 2, 3… without gaps, continuing across agent restarts */
  seq: number;
  /** epoch ms */
  time: number;
}

/** The per-type part of an event. */
export type EventBody =
  | { type: 'unit.starting'; unit: string; instance?: string; attempt?: number }
  | { type: 'unit.started'; unit: string; instance: string; pid?: number }
  | {
      type: 'unit.exited'; unit: string; instance?: string; code: number | null; signal: string | null;
      oomKilled: boolean; lastLogLines: string[]; ranMs?: number;
    }
  | { type: 'unit.restarting'; unit: string; delayMs: number; reason: string; cause: RestartEventCause; attempt?: number }
  | { type: 'unit.backing-off'; unit: string; delayMs: number; until: number; reason: string }
  | { type: 'unit.crash-looping'; unit: string; until: number; reason: string }
  | { type: 'unit.failed'; unit: string; reason: string }
  | { type: 'unit.completed'; unit: string; durationMs?: number }
  | { type: 'unit.stopping'; unit: string; cause: RestartEventCause; signal?: string }
  | { type: 'unit.stopped'; unit: string; cause: RestartEventCause; reason?: string; exit?: { code: number | null; signal: string | null; oomKilled: boolean } }
  | { type: 'unit.paused'; unit: string }
  | { type: 'unit.unpaused'; unit: string }
  | { type: 'unit.healthy'; unit: string; output?: string }
  | { type: 'unit.unhealthy'; unit: string; output: string; failures: number }
  | { type: 'unit.reloaded'; unit: string; how: 'signal' | 'command' | 'restart'; detail: string; templates?: string[] }
  | { type: 'unit.waiting'; unit: string; dep: string; condition: 'started' | 'healthy' | 'completed'; state: string }
  | { type: 'unit.drift'; unit: string; detail: string; action: string }
  | { type: 'unit.reset'; unit: string }
  | { type: 'job.run.started'; unit: string; run: number }
  | {
      type: 'job.run.finished'; unit: string; run: number; code: number | null; signal: string | null;
      durationMs: number; skipped?: boolean;
    }
  | { type: 'apply.started'; dir: string; changes: number }
  | { type: 'apply.finished'; dir: string; changes: number; durationMs: number }
  | { type: 'apply.failed'; dir: string; error: string; errors?: string[] }
  | { type: 'agent.started'; version: string; pid: number; recovered: number }
  | { type: 'agent.stopping'; reason: string; stopUnits: boolean };

/** A stored event: an envelope and a body. Narrow on `type`. */
export type BerthEvent = EventBody & EventEnvelope;

/** Every event type name. */
export type BerthEventType = BerthEvent['type'];

/** One event type's full shape, e.g. `EventOf<'unit.exited'>`. */
export type EventOf<T extends BerthEventType> = Extract<BerthEvent, { type: T }>;

/** True when the event is about `unit`. */
export function isUnitEvent(e: BerthEvent, unit?: string): e is Extract<BerthEvent, { unit: string }> {
  const u = (e as { unit?: unknown }).unit;
  return typeof u === 'string' && (unit === undefined || u === unit);
}

/** Checks the shape of a parsed ledger line just enough to trust its envelope. */
export function looksLikeEvent(v: unknown): v is BerthEvent {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return Number.isSafeInteger(o.seq) && typeof o.time === 'number' && typeof o.type === 'string';
}
