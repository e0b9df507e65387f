/**
 * The Agent: converges the host to a unit folder and keeps it there. It owns
 * the UnitSupervisors, the ledger, the persisted state and the start gate
 * (dependencies, boot-storm limit). All-or-nothing apply: every unit and
 * template is loaded, rendered and checked before anything changes.
 */
import type { ConfigError } from '../errors.js';
import { BerthError } from '../errors.js';
import { planChanges } from '../config/plan-changes.js';
import type { Plan } from '../config/plan-types.js';
import type { UnitSpec } from '../config/unit-spec.js';
import type { ExecOptions, ExecResult, Handle, InstanceStatus, ProcessInfo } from '../runtime/driver.js';
import { readAgentState, writeAgentState, type AgentStateFile } from './agent-state.js';
import type { AgentCore } from './agent-core.js';
import type { AgentDeps, DesiredSet } from './agent-deps.js';
import { dependentsOf, firstBlocker, startOrder } from './dependency-gate.js';
import { executePlan } from './execute-plan.js';
import { recoverRecords, registerRecords } from './recover-units.js';
import type { EventBody } from './events.js';
import type { Ledger } from './ledger.js';
import { Semaphore } from './semaphore.js';
import { isLive } from './state.js';
import type { UnitFileState, UnitRuntime } from './unit-runtime.js';
import { UnitSupervisor, type UnitRecord } from './unit-supervisor.js';
import { ApplyError } from './apply-error.js';
import { AUTOREMOVE_LABEL, ORIGIN_LABEL, isAdHoc } from './unit-kinds.js';
import { explainObject, objectView, supervisedView, type UnitView } from './unit-view.js';
import { archiveInstanceLog, followUnitLogs, readUnitLogs, type LogLine } from './unit-logs.js';
import { explainUnit } from './why.js';
import { JobScheduler } from './job-scheduler.js';

/** The outcome of an apply. */
export interface ApplyResult {
  plan: Plan;
  applied: boolean;
}

/** The host agent's core. */
export class Agent {
  readonly units = new Map<string, UnitSupervisor>();
  /** network and volume units, by name */
  readonly objects = new Map<string, UnitSpec>();
  /** secret values of the last loaded folder, to redact what is shown (never persisted) */
  secretValues: string[] = [];
  private applied?: { dir: string; at: number };
  private readonly gate: Semaphore;
  private persistQueued = false;
  private applying: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** units of the state file still being recovered (listed as "recovering", persisted as they were) */
  private readonly recovering = new Map<string, UnitRecord>();
  /** settles when recovery has finished: operations on units wait for it */
  private recovered: Promise<unknown> = Promise.resolve();
  /** cron schedules of job units */
  readonly jobs: JobScheduler;

  constructor(private readonly deps: AgentDeps) {
    this.gate = new Semaphore(deps.maxConcurrentStarts ?? 4);
    this.jobs = new JobScheduler(this, deps.root);
    this.scheduleDriftCheck();
  }

  /** Every `driftEveryMs` (default 10 s), each live unit compares what runs with what berth believes. */
  private scheduleDriftCheck(): void {
    const every = this.deps.driftEveryMs ?? 10_000;
    if (every <= 0) return;
    this.deps.clock.setTimeout(() => {
      if (this.closed) return;
      void Promise.all([...this.units.values()].map((s) => s.checkDrift().catch(() => undefined))).finally(() => this.scheduleDriftCheck());
    }, every);
  }

  get ledger(): Ledger {
    return this.deps.ledger;
  }

  private emit(body: EventBody): void {
    if (!this.closed) this.deps.ledger.append(body);
  }

  private runtimeFor(spec: UnitSpec): UnitRuntime {
    const driver = this.deps.driverFor(spec);
    if (!('kind' in driver)) throw new BerthError('E_ISOLATION_UNAVAILABLE', `${spec.name}: ${driver.unavailable}`);
    return {
      driver,
      prepare: (s, id) => this.deps.prepare(s, id),
      emit: (b) => this.emit(b),
      persist: (now) => this.persist(now),
      logTail: (h, n) => this.deps.logTail(h, n),
      archiveLog: (h) => archiveInstanceLog(this.deps.root, spec.name, h.logPath),
      clock: this.deps.clock,
      random: this.deps.random,
      startSlot: () => this.gate.acquire(),
      onStateChange: (unit) => this.onStateChange(unit),
    };
  }

  /** The insides the helpers in execute-plan.ts and recover-units.ts work on. */
  private core(): AgentCore {
    return {
      deps: this.deps, units: this.units, objects: this.objects, recovering: this.recovering,
      newSupervisor: (spec, files) => this.newSupervisor(spec, files),
      bringUp: (sup) => this.bringUp(sup),
      emit: (body) => this.emit(body),
    };
  }

  private newSupervisor(spec: UnitSpec, files: UnitFileState[]): UnitSupervisor {
    const sup = new UnitSupervisor(spec, files, this.runtimeFor(spec));
    const health = this.deps.healthFor?.(sup);
    if (health) sup.health = health;
    this.units.set(spec.name, sup);
    return sup;
  }

  /** Saves the state; coalesced, unless `now` asks for it to be on disk before returning. */
  persist(now = false): void {
    if (this.closed) return;
    if (now) {
      this.persistQueued = false;
      writeAgentState(this.deps.root, this.snapshot());
      return;
    }
    if (this.persistQueued) return;
    this.persistQueued = true;
    setImmediate(() => {
      if (!this.persistQueued || this.closed) return;
      this.persistQueued = false;
      writeAgentState(this.deps.root, this.snapshot());
    });
  }

  private snapshot(): AgentStateFile {
    const units: AgentStateFile['units'] = {};
    for (const [name, sup] of this.units) units[name] = this.recovering.get(name) ?? sup.toRecord();
    const objects: NonNullable<AgentStateFile['objects']> = {};
    for (const [name, spec] of this.objects) objects[name] = { spec };
    return { version: 1, ...(this.applied ? { applied: this.applied } : {}), units, objects };
  }

  /**
   * Re-attaches to everything the previous agent left running, resumes pending
   * restarts and starts units that should be up. Starts nothing twice. Every
   * stored unit is listed (as "recovering") as soon as this is called, so the
   * API can answer before recovery ends; applies and unit operations wait for it.
   */
  recover(): Promise<number> {
    const state = readAgentState(this.deps.root);
    this.applied = state.applied;
    const pending = registerRecords(this.core(), state);
    const run = this.applying.then(async () => {
      const attached = await recoverRecords(this.core(), pending);
      this.jobs.sync();
      this.persist(true);
      return attached;
    });
    this.applying = run.catch(() => undefined);
    this.recovered = this.applying;
    return run;
  }

  /** The plan for a folder against what runs now; changes nothing. */
  async plan(dir: string): Promise<{ plan: Plan; errors: (ConfigError | BerthError)[]; secrets: string[] }> {
    const desired = await this.deps.loadDesired(dir);
    await this.recovered;
    const observed = this.folderUnits().map((s) => ({ spec: s.spec, files: s.files, state: s.state }));
    return { plan: planChanges(desired.units, observed, { secretValues: desired.secrets }), errors: desired.errors, secrets: desired.secrets };
  }

  /**
   * Carries out a folder: all of it or nothing. One apply at a time. A user's
   * apply brings every unit of the folder up (like `compose up`); the agent's
   * own applies (at start, on file change) keep units a user stopped down,
   * unless the unit itself changed.
   */
  apply(dir: string, opts: { respectStops?: boolean } = {}): Promise<ApplyResult> {
    const run = this.applying.then(() => this.doApply(dir, opts.respectStops ?? false));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async doApply(dir: string, respectStops: boolean): Promise<ApplyResult> {
    const started = this.deps.clock.now();
    const desired = await this.deps.loadDesired(dir);
    if (!desired.errors.length) this.secretValues = desired.secrets;
    const errors = [...desired.errors];
    for (const unit of desired.units) {
      const driver = this.deps.driverFor(unit.spec);
      if (!('kind' in driver)) errors.push(new BerthError('E_ISOLATION_UNAVAILABLE', `${unit.spec.name}: ${driver.unavailable}`));
      else {
        const problem = await this.deps.preflight(unit);
        if (problem) errors.push(problem);
      }
    }
    const observed = this.folderUnits().map((s) => ({ spec: s.spec, files: s.files, state: s.state }));
    const plan = planChanges(desired.units, observed, { secretValues: desired.secrets });
    if (errors.length) {
      this.emit({ type: 'apply.failed', dir, error: `${errors.length} error(s); nothing was changed`, errors: errors.map((e) => e.message) });
      throw new ApplyError(errors);
    }
    const changes = plan.actions.filter((a) => a.kind !== 'none').length;
    this.emit({ type: 'apply.started', dir, changes });
    await executePlan(this.core(), desired, plan, respectStops);
    this.applied = { dir, at: this.deps.clock.now() };
    this.jobs.sync();
    this.persist(true);
    this.emit({ type: 'apply.finished', dir, changes, durationMs: this.deps.clock.now() - started });
    return { plan, applied: true };
  }

  /** Units that came from a unit folder (not `berth run`). */
  private folderUnits(): { spec: UnitSpec; files: UnitFileState[]; state: string }[] {
    const objects = [...this.objects.values()].map((spec) => ({ spec, files: [] as UnitFileState[], state: 'ready' }));
    return [...[...this.units.values()].filter((s) => !isAdHoc(s.spec)), ...objects];
  }

  /**
   * Adds a unit outside the folder (`berth run`/`create`, the Docker API):
   * supervised like any other, never touched by apply, removed after it
   * ends when `autoRemove` (`--rm`).
   */
  async createUnit(spec: UnitSpec, opts: { start: boolean; autoRemove?: boolean }): Promise<UnitView> {
    await this.recovered;
    if (this.units.has(spec.name)) {
      throw new BerthError('E_CONFLICT', `a unit named ${spec.name} already exists`, { hint: `pick another --name, or remove it: berth rm -f ${spec.name}` });
    }
    const unit = { spec: { ...spec, labels: { ...spec.labels, [ORIGIN_LABEL]: 'run', ...(opts.autoRemove ? { [AUTOREMOVE_LABEL]: 'true' } : {}) } }, files: [] };
    const driver = this.deps.driverFor(unit.spec);
    if (!('kind' in driver)) throw new BerthError('E_ISOLATION_UNAVAILABLE', driver.unavailable);
    const problem = await this.deps.preflight(unit);
    if (problem) throw problem;
    const sup = this.newSupervisor(unit.spec, []);
    this.persist(true);
    if (opts.start) await sup.start('manual');
    return this.list().find((u) => u.name === spec.name)!;
  }

  /** Removes a unit that is not running (or, with `force`, stops it first). Folder units come back on the next apply. */
  async removeUnit(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.recovered;
    const sup = this.get(name);
    if ((isLive(sup.state) || sup.state === 'starting') && !opts.force) {
      throw new BerthError('E_CONFLICT', `${name} is ${sup.state}`, { hint: `stop it first (berth stop ${name}) or use rm -f` });
    }
    await sup.stop('manual', true);
    sup.detach();
    this.units.delete(name);
    this.persist(true);
  }

  /** Sends a signal to a unit's running instance (`berth kill`, `docker kill`); the restart policy does not bring it back. */
  async kill(name: string, signal = 'SIGKILL'): Promise<void> {
    await this.recovered;
    const { sup, handle } = this.running(name);
    if (!['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU'].includes(signal)) {
      sup.desired = 'down';
      sup.tracker.stopRequested = true;
    }
    await sup.driver.kill(handle, signal);
  }

  /** Starts a unit now, or parks it as waiting with the reason. */
  private bringUp(sup: UnitSupervisor): void {
    const blocker = firstBlocker(sup.spec, (n) => {
      const s = this.units.get(n);
      return s ? { state: s.state, hasHealth: !!s.spec.health } : undefined;
    });
    if (blocker) sup.wait(blocker.dep, blocker.condition, blocker.state);
    else void sup.start('manual').catch(() => undefined);
  }

  /** A unit changed state: waiting units that depend on it may go now; `--rm` units that ended go away. */
  private onStateChange(unit: string): void {
    const changed = this.units.get(unit);
    if (changed && changed.spec.labels[AUTOREMOVE_LABEL] === 'true' && ['exited', 'failed', 'completed'].includes(changed.state)) {
      setImmediate(() => void this.removeUnit(unit, { force: true }).catch(() => undefined));
    }
    for (const sup of this.units.values()) {
      if (sup.state === 'waiting' && sup.spec.after.some((a) => a.unit === unit)) this.bringUp(sup);
    }
  }

  /** Looks a unit up or throws E_UNIT_NOT_FOUND with a hint. */
  get(name: string): UnitSupervisor {
    const sup = this.units.get(name);
    if (!sup) {
      throw new BerthError('E_UNIT_NOT_FOUND', `no unit named ${name}`, {
        hint: this.units.size ? `known units: ${[...this.units.keys()].sort().join(', ')}` : 'apply a unit folder first: berth apply units/',
      });
    }
    return sup;
  }

  /** Starts one unit (after its dependencies). */
  async start(name: string): Promise<void> {
    await this.recovered;
    const sup = this.get(name);
    sup.desired = 'up';
    sup.tracker.stopRequested = false;
    this.bringUp(sup);
  }

  /** Stops units in reverse dependency order: all of them, or the named ones and their dependents. */
  async down(names: string[] = []): Promise<string[]> {
    await this.recovered;
    const specs = [...this.units.values()].map((s) => s.spec);
    const wanted = names.length ? new Set(names.flatMap((n) => [this.get(n).name, ...dependentsOf(n, specs)])) : new Set(this.units.keys());
    const order = startOrder(specs).filter((s) => wanted.has(s.name)).reverse();
    for (const spec of order) await this.units.get(spec.name)!.stop('manual', true);
    return order.map((s) => s.name);
  }

  /** Every unit as the API and the CLI show it. */
  list(): UnitView[] {
    const now = this.deps.clock.now();
    const supervised = [...this.units.values()].map((s) => {
      const view = supervisedView(s, now, this.jobs.nextRun(s.name));
      return this.recovering.has(s.name) ? { ...view, state: 'recovering' } : view;
    });
    return [...supervised, ...[...this.objects.values()].map(objectView)].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The running instance of a unit, or E_NOT_RUNNING. */
  private running(name: string): { sup: UnitSupervisor; handle: Handle } {
    const sup = this.get(name);
    if (!sup.handle) throw new BerthError('E_NOT_RUNNING', `${name} is ${sup.state}: it has no running instance`, { hint: `berth start ${name}` });
    return { sup, handle: sup.handle };
  }

  /** Processes of a unit's instance. */
  top(name: string): Promise<ProcessInfo[]> {
    const { sup, handle } = this.running(name);
    return sup.driver.top(handle);
  }

  /** Runs a command inside a unit's instance. */
  exec(name: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { sup, handle } = this.running(name);
    return sup.driver.exec(handle, argv, options);
  }

  /** Observed status of a unit's instance (usage, addresses), or undefined when none runs. */
  async inspectInstance(name: string): Promise<InstanceStatus | undefined> {
    const sup = this.get(name);
    if (!sup.handle) return undefined;
    return sup.driver.inspect(sup.handle).catch(() => undefined);
  }

  /** One paragraph: why the unit is in its state and why it last restarted. */
  why(name: string): string {
    const object = this.objects.get(name);
    if (object && !this.units.has(name)) return explainObject(object, [...this.units.values()].map((u) => u.spec));
    const sup = this.get(name);
    const events = this.deps.ledger.tail(200, { unit: name });
    if (this.recovering.has(name)) return `${name} is being recovered: the agent just started and is re-attaching to what it left running.`;
    const stateOf = (n: string) => this.units.get(n)?.state ?? (this.objects.has(n) ? 'ready' : undefined);
    return explainUnit({ unit: name, state: sup.state, events, now: this.deps.clock.now(), stateOf });
  }

  /** A unit's log lines (archive of earlier instances, then the current one). */
  logs(name: string, options: { tail?: number; sinceMs?: number } = {}): LogLine[] {
    const sup = this.get(name);
    return readUnitLogs(this.deps.root, name, sup.handle?.logPath, options);
  }

  /** Follows a unit's log across restarts; returns a stop function. */
  followLogs(name: string, onLines: (lines: LogLine[]) => void): () => void {
    this.get(name);
    const current = () => this.units.get(name)?.handle?.logPath;
    return followUnitLogs(current, (fn) => this.deps.ledger.subscribe((e) => e.type === 'unit.started' && fn(), { unit: name }), onLines);
  }

  /** Ends the agent. Units keep running unless `stopUnits`. */
  async close(stopUnits = false, reason = 'shutdown'): Promise<void> {
    this.emit({ type: 'agent.stopping', reason, stopUnits });
    if (stopUnits) await this.down();
    this.jobs.close();
    for (const sup of this.units.values()) sup.detach();
    this.persist(true);
    this.closed = true;
  }
}

export type { AgentDeps, DesiredSet } from './agent-deps.js';
/** Instance-level types the API and the CLI show, re-exported so they need not reach into runtime/. */
export type { ExecResult, ProcessInfo, InstanceStatus } from '../runtime/driver.js';
export { ApplyError } from './apply-error.js';
export { AUTOREMOVE_LABEL, ORIGIN_LABEL, isAdHoc, isObjectKind } from './unit-kinds.js';
export type { UnitView } from './unit-view.js';
