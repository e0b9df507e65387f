/**
 * Folds one ledger event into the dashboard's copy of a unit (pure). The
 * first frame comes from one GET /v1/units; after that the table moves with
 * the event stream, so the dashboard never polls every unit. Events it cannot
 * fold (a unit it does not know, an apply that may add or remove units) ask
 * for one fresh snapshot instead.
 */
import type { BerthEvent } from '../supervisor/events.js';
import type { UnitView } from '../supervisor/agent.js';

/** The result of folding one event: the unit's new view, or a request to re-read the list. */
export type Folded = { kind: 'unit'; view: UnitView } | { kind: 'resync' } | { kind: 'none' };

/** Folds `e` into `units` (by name); never mutates the input view. */
export function applyEvent(units: ReadonlyMap<string, UnitView>, e: BerthEvent): Folded {
  if (e.type === 'apply.finished' || e.type === 'agent.started') return { kind: 'resync' };
  if (!('unit' in e) || typeof e.unit !== 'string') return { kind: 'none' };
  const old = units.get(e.unit);
  if (!old) return { kind: 'resync' };
  const next = foldUnit(old, e);
  return next === old ? { kind: 'none' } : { kind: 'unit', view: next };
}

function foldUnit(u: UnitView, e: BerthEvent): UnitView {
  const { timerAt: _timer, ...rest } = u;
  switch (e.type) {
    case 'unit.starting':
      return { ...rest, state: 'starting', desired: 'up' };
    case 'unit.started': {
      const restarted = u.startedAt !== undefined || u.lastExit !== undefined;
      return { ...rest, state: 'running', desired: 'up', instance: e.instance, startedAt: e.time, ...(e.pid ? { pid: e.pid } : {}), restarts: u.restarts + (restarted ? 1 : 0) };
    }
    case 'unit.exited': {
      const { pid: _pid, instance: _inst, startedAt: _s, ...down } = rest;
      return { ...down, state: 'exited', lastExit: { code: e.code, signal: e.signal, oomKilled: e.oomKilled, finishedAt: e.time } };
    }
    case 'unit.restarting':
      return u.lastExit ? { ...u, lastExit: { ...u.lastExit, reason: e.reason } } : u;
    case 'unit.backing-off':
      return { ...rest, state: 'backing-off', timerAt: e.until, ...(u.lastExit ? { lastExit: { ...u.lastExit, reason: e.reason } } : {}) };
    case 'unit.crash-looping':
      return { ...rest, state: 'crash-looping', timerAt: e.until, ...(u.lastExit ? { lastExit: { ...u.lastExit, reason: e.reason } } : {}) };
    case 'unit.failed':
      return { ...rest, state: 'failed', ...(u.lastExit ? { lastExit: { ...u.lastExit, reason: e.reason } } : {}) };
    case 'unit.completed':
      return { ...rest, state: 'completed' };
    case 'unit.stopping':
      return { ...u, state: 'stopping', ...(e.cause === 'manual' ? { desired: 'down' as const } : {}) };
    case 'unit.stopped':
      // how the stopped instance ended (older agents do not say: keep what was known)
      return { ...rest, state: 'exited', ...(e.exit ? { lastExit: { ...e.exit, finishedAt: e.time, reason: `stopped (${e.cause})` } } : {}) };
    case 'unit.paused':
      return { ...u, state: 'paused' };
    case 'unit.unpaused':
      return { ...u, state: u.health === 'healthy' ? 'healthy' : 'running' };
    case 'unit.healthy':
      return { ...u, state: 'healthy', health: 'healthy' };
    case 'unit.unhealthy':
      return { ...u, state: 'unhealthy', health: 'unhealthy' };
    case 'unit.waiting':
      return { ...rest, state: 'waiting' };
    case 'unit.reset':
      return { ...rest, state: 'created', restarts: 0 };
    default:
      return u;
  }
}
