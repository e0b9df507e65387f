/**
 * Schedules of `job` units (node-cron, optional time zone). Each tick starts
 * the job unless a run is still going; then `concurrency` decides: skip the
 * tick (recorded as a skipped run), or queue one run for when it ends
 * ('allow' also queues: a unit has one instance at a time). Every run's start,
 * exit code and duration is an event; the last N runs are kept per job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { writeFileAtomicSync } from './agent-state.js';
import type { UnitSpec } from '../config/unit-spec.js';
import type { Agent } from './agent.js';
import type { BerthEvent } from './events.js';
import { isLive } from './state.js';

/** One run of a job. */
export interface JobRun {
  run: number;
  startedAt: number;
  finishedAt?: number;
  code?: number | null;
  signal?: string | null;
  skipped?: boolean;
  /** the last lines the run printed */
  log?: string[];
}

interface Entry {
  key: string;
  task: ScheduledTask;
  queued: boolean;
  runs: JobRun[];
  next: number;
  /** ticks skipped while the run they collided with was still starting: recorded once it has started (or failed to) */
  skipsWhileStarting: number;
}

/** Keeps each scheduled job's cron task in step with the applied units. */
export class JobScheduler {
  private readonly jobs = new Map<string, Entry>();
  private readonly unsubscribe: () => void;

  /** `root`: runs are kept in <root>/units/NAME/runs.json, so history survives an agent restart */
  constructor(private readonly agent: Agent, private readonly root?: string) {
    // deferred: appending from inside a ledger callback would deliver events out of order to later listeners
    this.unsubscribe = agent.ledger.subscribe((e) => queueMicrotask(() => this.onEvent(e)));
  }

  /** Adds, changes and removes cron tasks to match the agent's job units. */
  sync(): void {
    const wanted = new Map<string, UnitSpec>();
    for (const sup of this.agent.units.values()) if (sup.spec.kind === 'job' && sup.spec.schedule) wanted.set(sup.name, sup.spec);
    for (const [name, entry] of this.jobs) {
      const spec = wanted.get(name);
      if (!spec || keyOf(spec) !== entry.key) {
        void entry.task.stop();
        if (!spec) this.jobs.delete(name);
      }
    }
    for (const [name, spec] of wanted) {
      const old = this.jobs.get(name);
      if (old && old.key === keyOf(spec)) continue;
      const s = spec.schedule!;
      const task = cron.schedule(s.cron, () => this.tick(name), { ...(s.timezone ? { timezone: s.timezone } : {}), name: `berth-${name}` });
      const runs = old?.runs ?? this.load(name);
      this.jobs.set(name, { key: keyOf(spec), task, queued: false, runs, next: old?.next ?? (runs.at(-1)?.run ?? 0) + 1, skipsWhileStarting: 0 });
    }
  }

  /** The next planned run of a job, or undefined. */
  nextRun(name: string): Date | undefined {
    return this.jobs.get(name)?.task.getNextRun() ?? undefined;
  }

  /** The last runs of a job, newest last. */
  runs(name: string): JobRun[] {
    return [...(this.jobs.get(name)?.runs ?? [])];
  }

  private tick(name: string): void {
    const entry = this.jobs.get(name);
    const sup = this.agent.units.get(name);
    if (!entry || !sup || sup.desired === 'down') return;
    const running = isLive(sup.state) || sup.state === 'starting' || sup.state === 'stopping';
    if (running) {
      const mode = sup.spec.schedule?.concurrency ?? 'skip';
      if (mode !== 'skip') entry.queued = true;
      // the run this tick collides with has no number until it has started: skip after it, in order
      else if (sup.state === 'starting') entry.skipsWhileStarting++;
      else this.recordSkip(name, entry, sup.spec);
      return;
    }
    void sup.start('manual').catch(() => undefined);
  }

  private recordSkip(name: string, entry: Entry, spec: UnitSpec): void {
    const run = entry.next++;
    this.keep(entry, spec, { run, startedAt: Date.now(), finishedAt: Date.now(), skipped: true });
    this.agent.ledger.append({ type: 'job.run.finished', unit: name, run, code: null, signal: null, durationMs: 0, skipped: true });
  }

  private keep(entry: Entry, spec: UnitSpec, run: JobRun): void {
    entry.runs.push(run);
    const keep = spec.schedule?.keep ?? 10;
    if (entry.runs.length > keep) entry.runs.splice(0, entry.runs.length - keep);
    this.save(spec.name, entry.runs);
  }

  private path(name: string): string | undefined {
    return this.root ? join(this.root, 'units', name, 'runs.json') : undefined;
  }

  private load(name: string): JobRun[] {
    const path = this.path(name);
    if (!path) return [];
    try {
      const runs = JSON.parse(readFileSync(path, 'utf8')) as JobRun[];
      return Array.isArray(runs) ? runs : [];
    } catch {
      return [];
    }
  }

  private save(name: string, runs: JobRun[]): void {
    const path = this.path(name);
    if (path) writeFileAtomicSync(path, JSON.stringify(runs), 0o644);
  }

  private onEvent(e: BerthEvent): void {
    if (e.type !== 'unit.started' && e.type !== 'unit.exited') return;
    const entry = this.jobs.get(e.unit);
    const sup = this.agent.units.get(e.unit);
    if (!entry || !sup) return;
    if (e.type === 'unit.started') {
      const run = entry.next++;
      this.keep(entry, sup.spec, { run, startedAt: e.time });
      this.agent.ledger.append({ type: 'job.run.started', unit: e.unit, run });
    }
    for (; entry.skipsWhileStarting > 0; entry.skipsWhileStarting--) this.recordSkip(e.unit, entry, sup.spec);
    if (e.type === 'unit.started') return;
    const current = [...entry.runs].reverse().find((r) => !r.skipped && r.finishedAt === undefined);
    if (!current) return;
    Object.assign(current, { finishedAt: e.time, code: e.code, signal: e.signal, log: e.lastLogLines });
    this.save(e.unit, entry.runs);
    // the instance's own run time: the exit event is stamped after the log tail and teardown
    const durationMs = e.ranMs ?? Math.max(0, e.time - current.startedAt);
    this.agent.ledger.append({ type: 'job.run.finished', unit: e.unit, run: current.run, code: e.code, signal: e.signal, durationMs });
    if (entry.queued) {
      entry.queued = false;
      setTimeout(() => this.tick(e.unit), 0).unref();
    }
  }

  /** Stops every cron task. */
  close(): void {
    this.unsubscribe();
    for (const entry of this.jobs.values()) void entry.task.stop();
    this.jobs.clear();
  }
}

function keyOf(spec: UnitSpec): string {
  return `${spec.schedule?.cron}|${spec.schedule?.timezone ?? ''}`;
}
