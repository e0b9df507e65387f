/**
 * The systemd adapter: typed calls to org.freedesktop.systemd1.Manager and
 * unit properties, and systemd's signals as typed events. It speaks through
 * a DbusTransport (dbus-next by default), and turns D-Bus error replies into
 * BerthErrors by their D-Bus names (systemd-errors.ts).
 */
import { BerthError } from '../errors.js';
import { DbusVariant, type DbusSignal, type DbusTransport, type OpenTransport } from './dbus-transport.js';
import type { JobRemovedEvent, SystemdEvent } from './systemd-events.js';
import { toSystemdError } from './systemd-errors.js';
import { unitNameOfPath } from './unit-path.js';
import { parseUnitProperties, type UnitProperties } from './unit-properties.js';

const DEST = 'org.freedesktop.systemd1';
const PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';

/** The system bus, where PID 1 systemd listens. */
export const SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket';

/** A property of a transient unit: name and typed value. */
export type TransientProperty = [string, DbusVariant];

/** One row of ListUnits. */
export interface UnitListEntry {
  name: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  path: string;
}

/** How a job (start/stop/restart) ended. */
export type JobResult = 'done' | 'canceled' | 'timeout' | 'failed' | 'dependency' | 'skipped' | string;

/** The bus address berth uses: `BERTH_SYSTEMD_BUS` if set, else the system bus. */
export function defaultBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_SYSTEMD_BUS || SYSTEM_BUS;
}

/** A connection to one systemd manager. */
export class SystemdManager {
  private readonly listeners = new Set<(e: SystemdEvent) => void>();
  private subscribed = false;

  private constructor(private readonly bus: DbusTransport, readonly address: string) {
    bus.onSignal((s) => this.dispatch(s));
    bus.onClose((err) => this.emit({ type: 'disconnected', error: err.message }));
  }

  /** Connects to the manager on `address`. `open` swaps the D-Bus library (tests, a future replacement). */
  static async connect(address: string = defaultBusAddress(), open?: OpenTransport): Promise<SystemdManager> {
    const opener = open ?? (await import('./dbus-next-transport.js')).openDbusNextTransport;
    return new SystemdManager(await opener(address), address);
  }

  /** Listens to events; call subscribe() once to have systemd send unit and job signals. Returns an unsubscribe function. */
  on(listener: (e: SystemdEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Routes systemd's signals here and asks systemd to send them (Manager.Subscribe). Idempotent. */
  async subscribe(): Promise<void> {
    if (this.subscribed) return;
    await this.bus.addMatch(`type='signal',sender='${DEST}'`).catch((e: unknown) => { throw toSystemdError(e, 'AddMatch'); });
    await this.manager('Subscribe');
    this.subscribed = true;
  }

  /** Starts a transient unit; resolves to the job's path. */
  async startTransientUnit(name: string, props: TransientProperty[], mode = 'fail'): Promise<string> {
    const [job] = await this.manager('StartTransientUnit', 'ssa(sv)a(sa(sv))', [name, mode, props, []], name);
    return String(job);
  }

  /** Starts, stops or restarts a unit; resolves to the job's path. */
  async unitJob(verb: 'StartUnit' | 'StopUnit' | 'RestartUnit', name: string, mode = 'replace'): Promise<string> {
    const [job] = await this.manager(verb, 'ss', [name, mode], name);
    return String(job);
  }

  /** Runs a job and resolves when systemd reports it done (JobRemoved), with its result. Needs subscribe(). */
  async runJob(start: () => Promise<string>, timeoutMs = 90_000): Promise<JobResult> {
    const seen = new Map<string, string>();
    let wanted: string | undefined;
    let finish: (r: string) => void = () => undefined;
    let lost: (why: string) => void = () => undefined;
    const off = this.on((e) => {
      if (e.type === 'disconnected') lost(e.error);
      if (e.type !== 'job-removed') return;
      if (wanted === e.job) finish(e.result); else seen.set(e.job, e.result);
    });
    try {
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new BerthError('E_SYSTEMD_TIMEOUT', `systemd job ${wanted ?? ''} did not finish in ${timeoutMs} ms`)), timeoutMs);
        finish = (r) => { clearTimeout(timer); resolve(r); };
        lost = (why) => { clearTimeout(timer); reject(new BerthError('E_SYSTEMD_DISCONNECTED', `lost the bus while waiting for systemd job ${wanted ?? ''}: ${why}`, { hint: 'the job may still finish; check with `berth systemd ls`' })); };
        start().then((job) => {
          wanted = job;
          if (seen.has(job)) finish(seen.get(job)!);
        }, (err: unknown) => { clearTimeout(timer); reject(err); });
      });
    } finally { off(); }
  }

  /** Sends a signal to a unit's processes (`whom`: main, control or all). */
  async killUnit(name: string, signal: number, whom: 'main' | 'control' | 'all' = 'all'): Promise<void> {
    await this.manager('KillUnit', 'ssi', [name, whom, signal], name);
  }

  /** Forgets a failed unit's state (so a failed transient unit can be collected). */
  async resetFailedUnit(name: string): Promise<void> {
    await this.manager('ResetFailedUnit', 's', [name], name);
  }

  /** Freezes (cgroup freezer) or thaws a unit. systemd ≥ 246 on a cgroup v2 host; otherwise E_SYSTEMD_NOT_SUPPORTED / E_SYSTEMD_TOO_OLD. */
  async freezeUnit(name: string, freeze: boolean): Promise<void> {
    await this.manager(freeze ? 'FreezeUnit' : 'ThawUnit', 's', [name], name);
  }

  /** The object path of a loaded unit; E_SYSTEMD_NO_SUCH_UNIT when it is not loaded. */
  async getUnit(name: string): Promise<string> {
    const [path] = await this.manager('GetUnit', 's', [name], name);
    return String(path);
  }

  /** Every loaded unit. */
  async listUnits(): Promise<UnitListEntry[]> {
    const [rows] = await this.manager('ListUnits');
    return (rows as unknown[][]).map((r) => ({
      name: String(r[0]), description: String(r[1]), loadState: String(r[2]), activeState: String(r[3]), subState: String(r[4]), path: String(r[6]),
    }));
  }

  /** Enables unit files (their [Install] section); returns the changes systemd made as `type source → target`. */
  async enableUnitFiles(files: string[], runtime = false, force = true): Promise<string[]> {
    const [, changes] = await this.manager('EnableUnitFiles', 'asbb', [files, runtime, force], files.join(' '));
    return (changes as unknown[][]).map((c) => `${String(c[0])} ${String(c[1])} → ${String(c[2])}`);
  }

  /** Reloads unit files from disk (daemon-reload). */
  async reload(): Promise<void> {
    await this.manager('Reload');
  }

  /** The Unit (and, for services, Service) properties berth reads; E_SYSTEMD_NO_SUCH_UNIT when not loaded. */
  async unitProperties(name: string): Promise<UnitProperties> {
    const path = await this.getUnit(name);
    const props = parseUnitProperties(await this.getAll(path, 'org.freedesktop.systemd1.Unit', name));
    if (name.endsWith('.service')) parseUnitProperties(await this.getAll(path, 'org.freedesktop.systemd1.Service', name), props);
    return props;
  }

  /** systemd's version string (Manager.Version), e.g. `252.39-1~deb12u2`. */
  async version(): Promise<string> {
    try {
      const [v] = await this.bus.call({ destination: DEST, path: PATH, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [MANAGER, 'Version'] });
      return String(v);
    } catch (err) { throw toSystemdError(err, 'reading the systemd version'); }
  }

  /** Closes the connection. */
  close(): void {
    this.listeners.clear();
    this.bus.close();
  }

  private async getAll(path: string, iface: string, what: string): Promise<Record<string, unknown>> {
    try {
      const [dict] = await this.bus.call({ destination: DEST, path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface] });
      return dict as Record<string, unknown>;
    } catch (err) { throw toSystemdError(err, `${what}: reading properties`); }
  }

  private async manager(member: string, signature?: string, body?: unknown[], what?: string): Promise<unknown[]> {
    try {
      return await this.bus.call({ destination: DEST, path: PATH, interface: MANAGER, member, ...(signature ? { signature, body: body ?? [] } : {}) });
    } catch (err) { throw toSystemdError(err, what ? `${member} ${what}` : member); }
  }

  private emit(e: SystemdEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private dispatch(s: DbusSignal): void {
    if (s.interface === MANAGER && s.member === 'JobRemoved') {
      const [id, job, unit, result] = s.body;
      const e: JobRemovedEvent = { type: 'job-removed', id: Number(id), job: String(job), unit: String(unit), result: String(result) };
      this.emit(e);
    } else if (s.interface === MANAGER && (s.member === 'UnitNew' || s.member === 'UnitRemoved')) {
      this.emit({ type: s.member === 'UnitNew' ? 'unit-new' : 'unit-removed', unit: String(s.body[0]), path: String(s.body[1]) });
    } else if (s.interface === 'org.freedesktop.DBus.Properties' && s.member === 'PropertiesChanged') {
      const unit = unitNameOfPath(s.path);
      if (!unit) return;
      const [iface, changed, invalidated] = s.body;
      this.emit({ type: 'unit-changed', unit, path: s.path, interface: String(iface), changed: parseUnitProperties(changed as Record<string, unknown>), invalidated: (invalidated as string[]) ?? [] });
    }
  }
}
