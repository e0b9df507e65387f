/**
 * UnitView: one unit as the API, the CLI and the dashboard list it — its
 * observed state and the few facts a table shows.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import { isLive } from './state.js';
import type { UnitSupervisor } from './unit-supervisor.js';

/** One unit as the API lists it. */
export interface UnitView {
  name: string;
  kind: string;
  isolation: string;
  state: string;
  desired: 'up' | 'down';
  instance?: string;
  pid?: number;
  startedAt?: number;
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; oomKilled: boolean; finishedAt: number; reason?: string };
  timerAt?: number;
  ports: string[];
  image?: string;
  /** jobs: the next scheduled run (epoch ms) */
  nextRun?: number;
  health?: string;
  /** network units */
  subnet?: string;
}

/** The view of a supervised unit; restarts count starts in the last hour after the first. */
export function supervisedView(s: UnitSupervisor, now: number, nextRun?: Date): UnitView {
  return {
    name: s.name,
    kind: s.spec.kind,
    isolation: s.spec.isolation,
    state: s.state,
    desired: s.desired,
    ...(s.handle ? { instance: s.handle.id, startedAt: s.handle.startedAt } : {}),
    ...(s.handle?.pid ? { pid: s.handle.pid } : {}),
    restarts: Math.max(0, s.tracker.runs.filter((r) => r.startedAt > now - 3_600_000).length - 1),
    ...(s.lastExit ? { lastExit: s.lastExit } : {}),
    ...(s.timerAt !== undefined ? { timerAt: s.timerAt } : {}),
    ports: s.spec.network.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`),
    ...(s.spec.image ? { image: s.spec.image.from } : {}),
    ...(s.spec.schedule && nextRun ? { nextRun: nextRun.getTime() } : {}),
    ...(s.spec.health ? { health: s.state === 'healthy' ? 'healthy' : s.state === 'unhealthy' ? 'unhealthy' : isLive(s.state) ? 'starting' : '–' } : {}),
  };
}

/** The view of a network or volume unit (nothing runs for it). */
export function objectView(spec: UnitSpec): UnitView {
  return { name: spec.name, kind: spec.kind, isolation: '–', state: 'ready', desired: 'up', restarts: 0, ports: [], ...(spec.subnet ? { subnet: spec.subnet } : {}) };
}

/** `berth why` of a network or volume unit: what it is and which units use it. */
export function explainObject(object: UnitSpec, units: readonly UnitSpec[]): string {
  const name = object.name;
  const users = units.filter((s) => s.network.attach.includes(name) || s.volumes.some((v) => v.type === 'named' && v.name === name)).map((s) => s.name);
  const what = object.kind === 'network' ? `a network${object.subnet ? ` (${object.subnet})` : ''}` : 'a volume';
  return `${name} is ${what}, declared by its unit file and ready; nothing runs for it. ${users.length ? `Used by ${users.sort().join(', ')}.` : 'No unit uses it.'}`;
}
