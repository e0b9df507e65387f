/**
 * SystemdDriver: a unit as a transient systemd service (StartTransientUnit
 * over D-Bus), for hosts where systemd should hold the processes. systemd's
 * Restart= is off; berth's supervisor decides restarts. Output goes through
 * the log wrapper (log-wrapper.ts) into `<root>/<id>/output.log`.
 *
 * Following an instance: the driver subscribes once and keeps, per unit it
 * watches, the properties PropertiesChanged carried (systemd sends the
 * Service's ExecMainCode/ExecMainStatus before the Unit's ActiveState turns
 * inactive/failed, and then collects the unit: CollectMode). A slow poll of
 * the unit's properties covers a lost connection or a missed signal.
 *
 * stop(signal, timeout): the unit's KillSignal cannot change once it runs,
 * so stop is KillUnit(main, signal) — the wrapper forwards it to the
 * command — then, after the timeout, KillUnit(all, SIGKILL), then StopUnit.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError, DriverError } from '../../errors.js';
import type { SystemdEvent } from '../../systemd/systemd-events.js';
import { isSystemdError } from '../../systemd/systemd-errors.js';
import { defaultBusAddress, SystemdManager } from '../../systemd/systemd-manager.js';
import { exitFromProperties, isEnded, signalNumber, type UnitProperties } from '../../systemd/unit-properties.js';
import type { Availability, Driver, ExecOptions, ExecResult, ExitResult, Handle, InstanceSpec, InstanceStatus, ProcessInfo } from '../driver.js';
import { readTop, resolveUser, runOnHost } from '../process/host.js';
import { makeSystemdHandle, systemdData, unitNameFor } from './handle.js';
import { observeUnit } from './state.js';
import { buildTransientProperties, ignoredParts, PERL } from './transient-properties.js';

/** Where the driver keeps things and which systemd it talks to. */
export interface SystemdDriverOptions {
  /** folder for instance folders (logs), e.g. `/var/lib/berth/systemd`; systemd must see the same path */
  root: string;
  /** D-Bus address (default: BERTH_SYSTEMD_BUS, else the system bus) */
  busAddress?: string;
  /** interpreter for the log wrapper, as systemd sees it (default /usr/bin/perl) */
  perl?: string;
  /** fallback poll of watched units, ms (default 5000) */
  pollMs?: number;
}

interface Watch {
  props: UnitProperties;
  started: boolean;
  exit?: ExitResult;
  done: Promise<ExitResult>;
  resolve(e: ExitResult): void;
}

/** The systemd driver. */
export class SystemdDriver implements Driver {
  readonly kind = 'systemd';
  readonly address: string;
  private conn?: Promise<SystemdManager>;
  private readonly watches = new Map<string, Watch>();
  private poller?: NodeJS.Timeout;

  constructor(private readonly opts: SystemdDriverOptions) {
    this.address = opts.busAddress ?? defaultBusAddress();
  }

  async available(): Promise<Availability> {
    const perl = this.opts.perl ?? PERL;
    try {
      const version = await (await this.manager()).version();
      return { ok: true, detail: `systemd ${version} over D-Bus at ${this.address}; logs via ${perl}` };
    } catch (err) {
      return { ok: false, detail: `no systemd at ${this.address}: ${(err as Error).message}`, hint: (err as BerthError).hint ?? 'run berth where systemd is PID 1, or set BERTH_SYSTEMD_BUS' };
    }
  }

  async start(spec: InstanceSpec): Promise<Handle> {
    const m = await this.manager();
    const name = unitNameFor(spec.id);
    const dir = join(this.opts.root, spec.id);
    mkdirSync(dir, { recursive: true });
    const logPath = join(dir, 'output.log');
    const watch = this.newWatch(name);
    let result: string;
    try {
      result = await m.runJob(() => m.startTransientUnit(name, buildTransientProperties(spec, logPath, this.opts.perl)));
    } catch (err) {
      this.watches.delete(name);
      if (isSystemdError(err, 'E_SYSTEMD_UNIT_EXISTS')) throw new DriverError('E_SYSTEMD_EXISTS', `${spec.unit}: systemd unit ${name} already exists`, { unit: spec.unit }, { hint: `destroy the old instance, or \`systemctl stop ${name}; systemctl reset-failed ${name}\`` });
      const e = err as BerthError;
      throw new DriverError(e.code ?? 'E_SYSTEMD_START', `${spec.unit}: cannot start ${name}: ${e.message}`, { unit: spec.unit, recoverable: true }, e.hint ? { hint: e.hint, cause: err } : { cause: err });
    }
    if (result !== 'done') {
      this.watches.delete(name);
      throw new DriverError('E_SYSTEMD_START', `${spec.unit}: systemd's start job for ${name} ended '${result}'`, { unit: spec.unit, recoverable: true }, { hint: `see \`journalctl -u ${name}\`` });
    }
    watch.started = true;
    const props = await m.unitProperties(name).catch(() => null);
    if (props) this.merge(name, props);
    return makeSystemdHandle(spec.id, spec.unit, props?.mainPid, Date.now(), logPath, { unitName: name, dir, ignored: ignoredParts(spec) });
  }

  async wait(handle: Handle): Promise<ExitResult> {
    const name = systemdData(handle).unitName;
    const known = this.watches.get(name);
    if (known) return known.done;
    const watch = this.newWatch(name);
    watch.started = true; // it was given out as a handle: it ran
    await this.refresh(name);
    return watch.done;
  }

  async stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult> {
    const name = systemdData(handle).unitName;
    const done = this.wait(handle);
    const m = await this.manager();
    const sig = signalNumber(signal) ?? 15;
    const ended = await Promise.race([done.then(() => true), Promise.resolve(false)]);
    if (!ended) {
      await m.freezeUnit(name, false).catch(() => undefined); // a frozen service gets the signal once thawed
      await m.killUnit(name, sig, sig === 9 || sig === 19 ? 'all' : 'main').catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(() => r(true), timeoutMs); })]);
      clearTimeout(timer);
      if (timedOut) await m.killUnit(name, 9, 'all').catch(() => undefined);
    }
    const exit = await done;
    await m.runJob(() => m.unitJob('StopUnit', name), 30_000).catch(() => undefined);
    return exit;
  }

  async kill(handle: Handle, signal: string): Promise<void> {
    const sig = signalNumber(signal);
    if (sig === undefined) throw new DriverError('E_SIGNAL', `unknown signal ${signal}`, { unit: handle.unit }, { hint: 'use a name like SIGTERM or a number' });
    const m = await this.manager();
    // SIGKILL/SIGSTOP/SIGCONT cannot be forwarded by the wrapper: they go to every process of the unit
    await m.killUnit(systemdData(handle).unitName, sig, [9, 18, 19].includes(sig) ? 'all' : 'main').catch((err: unknown) => {
      if (isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT') || isSystemdError(err, 'E_SYSTEMD_NO_SUCH_PROCESS')) throw notRunning(handle);
      throw err;
    });
  }

  async pause(handle: Handle): Promise<void> { await this.freeze(handle, true); }

  async unpause(handle: Handle): Promise<void> { await this.freeze(handle, false); }

  async exec(handle: Handle, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const status = await this.inspect(handle);
    if (status.state !== 'running') throw notRunning(handle);
    const user = options.user ? resolveUser(options.user) : undefined;
    // a systemd service runs on the host filesystem: exec is a host command beside it, as in the process driver
    return runOnHost(argv, { ...options, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...options.env }, uid: user?.uid, gid: user?.gid });
  }

  async inspect(handle: Handle): Promise<InstanceStatus> {
    const d = systemdData(handle);
    const props = await this.propsOf(d.unitName);
    const status = observeUnit(props, this.watches.get(d.unitName)?.exit, Date.now());
    if (d.ignored.length) status.detail = { ...status.detail, ignoredOnHost: d.ignored };
    return status;
  }

  async top(handle: Handle): Promise<ProcessInfo[]> {
    const props = await this.propsOf(systemdData(handle).unitName);
    if (!props || isEnded(props)) return [];
    return readTop(cgroupPids(props.controlGroup) ?? (props.mainPid ? [props.mainPid] : []));
  }

  async recover(handle: Handle): Promise<Handle | null> {
    const props = await this.propsOf(systemdData(handle).unitName);
    if (!props) return null;
    return props.mainPid ? { ...handle, pid: props.mainPid } : handle;
  }

  async destroy(handle: Handle): Promise<void> {
    const d = systemdData(handle);
    const m = await this.manager();
    if (await this.propsOf(d.unitName)) {
      await m.runJob(() => m.unitJob('StopUnit', d.unitName), 60_000).catch((err: unknown) => { if (!isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT')) throw err; });
      await m.resetFailedUnit(d.unitName).catch(() => undefined);
    }
    this.finish(d.unitName);
    this.watches.delete(d.unitName);
    rmSync(d.dir, { recursive: true, force: true });
  }

  /** Ends the D-Bus connection (pending waits are resolved as unknown exits). */
  close(): void {
    clearInterval(this.poller);
    this.poller = undefined;
    for (const name of [...this.watches.keys()]) this.finish(name);
    const conn = this.conn;
    this.conn = undefined;
    void conn?.then((m) => m.close(), () => undefined);
  }

  private async freeze(handle: Handle, on: boolean): Promise<void> {
    const m = await this.manager();
    await m.freezeUnit(systemdData(handle).unitName, on).catch((err: unknown) => {
      if (isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT')) throw notRunning(handle);
      if (isSystemdError(err, 'E_SYSTEMD_NOT_SUPPORTED') || isSystemdError(err, 'E_SYSTEMD_TOO_OLD')) {
        throw new DriverError('E_PAUSE_UNSUPPORTED', `${handle.unit}: this systemd cannot ${on ? 'freeze' : 'thaw'} units here (${(err as Error).message})`, { unit: handle.unit },
          { hint: 'pausing a systemd unit needs systemd ≥ 246 on a cgroup v2 (unified) host; use isolation: process or container to pause' });
      }
      throw err;
    });
  }

  private manager(): Promise<SystemdManager> {
    if (!this.conn) {
      const conn = (async () => {
        const m = await SystemdManager.connect(this.address);
        m.on((e) => this.onEvent(e));
        await m.subscribe();
        return m;
      })();
      conn.catch(() => { if (this.conn === conn) this.conn = undefined; });
      this.conn = conn;
    }
    return this.conn;
  }

  private onEvent(e: SystemdEvent): void {
    if (e.type === 'disconnected') { this.conn = undefined; return; }
    if (e.type === 'unit-removed') { if (this.watches.get(e.unit)?.started) this.finish(e.unit); return; }
    if (e.type === 'unit-changed') this.merge(e.unit, e.changed);
  }

  private merge(name: string, changed: UnitProperties): void {
    const w = this.watches.get(name);
    if (!w || w.exit) return;
    Object.assign(w.props, Object.fromEntries(Object.entries(changed).filter(([, v]) => v !== undefined)));
    if (['active', 'activating', 'deactivating', 'reloading'].includes(w.props.activeState ?? '')) w.started = true;
    if (w.started && isEnded(w.props)) this.finish(name);
  }

  private finish(name: string): void {
    const w = this.watches.get(name);
    if (!w || w.exit) return;
    w.exit = exitFromProperties(w.props, Date.now());
    w.resolve(w.exit);
  }

  private newWatch(name: string): Watch {
    let resolve: (e: ExitResult) => void = () => undefined;
    const done = new Promise<ExitResult>((r) => { resolve = r; });
    const w: Watch = { props: {}, started: false, done, resolve };
    this.watches.set(name, w);
    if (!this.poller) {
      this.poller = setInterval(() => { for (const [n, x] of this.watches) if (!x.exit && x.started) void this.refresh(n); }, this.opts.pollMs ?? 5000);
      this.poller.unref();
    }
    return w;
  }

  /** Reads a watched unit's properties now; a unit systemd no longer knows has ended. */
  private async refresh(name: string): Promise<void> {
    const props = await this.propsOf(name).catch(() => undefined);
    if (props === undefined) return;
    if (props === null) this.finish(name); else this.merge(name, props);
  }

  private async propsOf(name: string): Promise<UnitProperties | null> {
    const m = await this.manager();
    try { return await m.unitProperties(name); } catch (err) {
      if (isSystemdError(err, 'E_SYSTEMD_NO_SUCH_UNIT')) return null;
      throw err;
    }
  }
}

function notRunning(handle: Handle): DriverError {
  return new DriverError('E_NOT_RUNNING', `${handle.unit} (${handle.id}) is not running`, { unit: handle.unit });
}

/** The pids of a unit's cgroup, looked up in the unified, hybrid and named-systemd hierarchies. */
function cgroupPids(cgroup: string | undefined): number[] | undefined {
  if (!cgroup) return undefined;
  for (const base of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd']) {
    const file = join(base, cgroup, 'cgroup.procs');
    if (!existsSync(file)) continue;
    try { return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number); } catch { /* gone meanwhile */ }
  }
  return undefined;
}

