/**
 * The host's systemd services as berth shows them (`berth systemd ls`, the
 * API, the dashboard): state, sub-state, since when, main PID, memory. One
 * snapshot at first, then kept live from systemd's signals (UnitNew,
 * UnitRemoved, PropertiesChanged); start/stop/restart as systemd jobs.
 */
import { BerthError } from '../errors.js';
import type { SystemdEvent } from './systemd-events.js';
import { isSystemdError } from './systemd-errors.js';
import { SystemdManager } from './systemd-manager.js';
import type { UnitProperties } from './unit-properties.js';

/** One host unit, as listed. */
export interface HostUnitView {
  name: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  /** epoch ms of the last state change */
  since?: number;
  mainPid?: number;
  memoryBytes?: number;
}

/** The host's services, live. */
export class HostUnits {
  private readonly units = new Map<string, HostUnitView>();
  private readonly listeners = new Set<(u: HostUnitView, removed: boolean) => void>();
  private ready?: Promise<void>;
  private conn?: Promise<SystemdManager>;

  constructor(private readonly open: () => Promise<SystemdManager>) {}

  /** One connection, reopened after it failed or was lost. */
  private connect(): Promise<SystemdManager> {
    if (!this.conn) {
      const c = this.open();
      c.catch(() => { if (this.conn === c) this.conn = undefined; });
      this.conn = c;
    }
    return this.conn;
  }

  /** Ends the connection. */
  close(): void {
    void this.conn?.then((m) => m.close(), () => undefined);
    this.conn = undefined;
    this.ready = undefined;
  }

  /** Every service unit systemd has loaded, sorted by name. */
  async list(): Promise<HostUnitView[]> {
    await this.load();
    return [...this.units.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Listens to changes (after the first list()). */
  onChange(listener: (u: HostUnitView, removed: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts, stops or restarts a unit and waits for systemd's job; resolves to the unit afterwards. */
  async act(name: string, verb: 'start' | 'stop' | 'restart'): Promise<HostUnitView> {
    if (!/^[A-Za-z0-9:_.@\\-]+$/.test(name)) throw new BerthError('E_SYSTEMD_BAD_NAME', `"${name}" is not a systemd unit name`, { hint: 'e.g. nginx.service' });
    const unit = name.includes('.') ? name : `${name}.service`;
    const m = await this.connect();
    const member = verb === 'start' ? 'StartUnit' : verb === 'stop' ? 'StopUnit' : 'RestartUnit';
    const result = await m.runJob(() => m.unitJob(member, unit));
    if (result !== 'done') throw new BerthError('E_SYSTEMD_JOB', `${verb} ${unit}: systemd's job ended '${result}'`, { hint: `see \`journalctl -u ${unit}\`` });
    await this.refresh(m, unit);
    return this.units.get(unit) ?? { name: unit, description: '', loadState: 'not-found', activeState: 'inactive', subState: 'dead' };
  }

  private load(): Promise<void> {
    if (!this.ready) {
      this.ready = (async () => {
        const m = await this.connect();
        m.on((e) => void this.onEvent(m, e));
        await m.subscribe();
        for (const u of await m.listUnits()) {
          if (!u.name.endsWith('.service')) continue;
          this.units.set(u.name, { name: u.name, description: u.description, loadState: u.loadState, activeState: u.activeState, subState: u.subState });
        }
        await Promise.all([...this.units.keys()].map((n) => this.refresh(m, n)));
      })();
      this.ready.catch(() => { this.ready = undefined; });
    }
    return this.ready;
  }

  private async refresh(m: SystemdManager, name: string): Promise<void> {
    try {
      this.apply(name, await m.unitProperties(name));
    } catch (err) {
      if (isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT')) this.remove(name); else throw err;
    }
  }

  private async onEvent(m: SystemdManager, e: SystemdEvent): Promise<void> {
    if (e.type === 'disconnected') { this.ready = undefined; this.conn = undefined; this.units.clear(); return; }
    if (!('unit' in e) || !e.unit.endsWith('.service')) return;
    if (e.type === 'unit-removed') this.remove(e.unit);
    else if (e.type === 'unit-new') await this.refresh(m, e.unit).catch(() => undefined);
    else if (e.type === 'unit-changed') this.apply(e.unit, e.changed);
  }

  private apply(name: string, p: UnitProperties): void {
    const old = this.units.get(name) ?? { name, description: '', loadState: 'loaded', activeState: 'inactive', subState: 'dead' };
    const u: HostUnitView = {
      ...old,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.loadState !== undefined ? { loadState: p.loadState } : {}),
      ...(p.activeState !== undefined ? { activeState: p.activeState } : {}),
      ...(p.subState !== undefined ? { subState: p.subState } : {}),
      ...(p.since !== undefined ? { since: p.since } : {}),
    };
    if ('mainPid' in p) { if (p.mainPid) u.mainPid = p.mainPid; else delete u.mainPid; }
    if ('memoryBytes' in p) { if (p.memoryBytes !== undefined) u.memoryBytes = p.memoryBytes; else delete u.memoryBytes; }
    this.units.set(name, u);
    for (const l of this.listeners) l(u, false);
  }

  private remove(name: string): void {
    const u = this.units.get(name);
    if (!u) return;
    this.units.delete(name);
    for (const l of this.listeners) l(u, true);
  }
}

let shared: HostUnits | undefined;

/** The process-wide HostUnits on the default bus (BERTH_SYSTEMD_BUS or the system bus). */
export function hostUnits(): HostUnits {
  shared ??= new HostUnits(() => SystemdManager.connect());
  return shared;
}
