/**
 * The dashboard's live copy of the agent: one snapshot (GET /v1/info, GET
 * /v1/units), then the event stream (GET /v1/events?follow) folded into it.
 * When the agent goes away it says "reconnecting", retries with backoff and
 * resumes the stream after the last seq it saw, so no event is lost or
 * counted twice. Changes reach subscribers at most once per `flushMs`, so
 * 500 units changing state cost one render per flush, not one per event.
 */
import type { BerthEvent } from '../supervisor/events.js';
import { applyEvent } from './apply-event.js';
import type { DashClient, DashInfo, UnitView } from './dash-client.js';

/** Everything the views read, as one immutable value per flush. */
export interface FeedState {
  connection: 'connecting' | 'live' | 'reconnecting';
  /** why the last attempt failed, while reconnecting */
  error?: string;
  /** when the next attempt starts (epoch ms), while reconnecting */
  retryAt?: number;
  info?: DashInfo;
  /** every unit, sorted by name; unchanged units keep their object identity */
  units: UnitView[];
  /** the latest events, oldest first */
  events: BerthEvent[];
  lastSeq: number;
}

/** Timers and clock, injectable for tests. */
export interface FeedTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface FeedOptions {
  timers?: FeedTimers;
  flushMs?: number;
  maxEvents?: number;
  /** events before the snapshot to show in the events view */
  history?: number;
  backoff?: { firstMs: number; maxMs: number };
}

const realTimers: FeedTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** A live, resumable view of one agent. */
export class DashFeed {
  private readonly timers: FeedTimers;
  private readonly opts: Required<Omit<FeedOptions, 'timers'>>;
  private state: FeedState = { connection: 'connecting', units: [], events: [], lastSeq: 0 };
  private readonly byName = new Map<string, UnitView>();
  private events: BerthEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private flushTimer: unknown;
  private retryTimer: unknown;
  private stream: { stop: () => void } | undefined;
  private attempt = 0;
  private seenSnapshot = false;
  private resyncing = false;
  private closed = false;
  private dirty = false;
  private lastSeq = 0;

  constructor(private readonly client: DashClient, options: FeedOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.opts = { flushMs: options.flushMs ?? 250, maxEvents: options.maxEvents ?? 1000, history: options.history ?? 200, backoff: options.backoff ?? { firstMs: 500, maxMs: 10_000 } };
  }

  /** The current state (a new object after each change). */
  getState = (): FeedState => this.state;

  /** Calls `fn` after each flushed change; returns the unsubscribe function. */
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Connects (and keeps reconnecting until `close`). */
  start(): void {
    void this.connect();
  }

  /** Stops the stream and every timer. */
  close(): void {
    this.closed = true;
    this.stream?.stop();
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.flushTimer);
  }

  /** Re-reads the unit list now (after an action, or when an event names a unit we do not know). */
  resync(): void {
    if (this.resyncing || this.closed) return;
    this.resyncing = true;
    this.client.get<UnitView[]>('/v1/units').then((units) => {
      this.replaceUnits(units);
      this.markDirty();
    }, () => undefined).finally(() => {
      this.resyncing = false;
    });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      const info = await this.client.get<DashInfo>('/v1/info');
      // A smaller lastSeq than ours is another ledger (a new agent root): start over.
      const fresh = !this.seenSnapshot || info.lastSeq < this.lastSeq;
      let since = this.lastSeq;
      if (fresh) {
        const units = await this.client.get<UnitView[]>('/v1/units');
        this.replaceUnits(units);
        this.events = [];
        this.lastSeq = info.lastSeq;
        since = Math.max(0, info.lastSeq - this.opts.history);
        this.seenSnapshot = true;
      }
      if (this.closed) return;
      this.state = { ...this.state, info, connection: 'live', error: undefined, retryAt: undefined };
      this.attempt = 0;
      this.markDirty(true);
      const s = this.client.stream<BerthEvent>(`/v1/events?since=${since}&follow=true`, (e) => this.onEvent(e));
      this.stream = s;
      await s.done;
      if (!this.closed) this.retry(new Error('the agent closed the event stream'));
    } catch (err) {
      if (!this.closed) this.retry(err);
    }
  }

  private onEvent(e: BerthEvent): void {
    if (e.seq <= this.lastSeq) {
      // history from before the snapshot (already in the units): shown in the events view once
      const last = this.events.at(-1);
      if (!last || last.seq < e.seq) this.pushEvent(e);
      return;
    }
    this.lastSeq = e.seq;
    this.pushEvent(e);
    const folded = applyEvent(this.byName, e);
    if (folded.kind === 'unit') this.byName.set(folded.view.name, folded.view);
    else if (folded.kind === 'resync') this.resync();
    this.markDirty();
  }

  private pushEvent(e: BerthEvent): void {
    this.events.push(e);
    if (this.events.length > this.opts.maxEvents) this.events.splice(0, this.events.length - this.opts.maxEvents);
    this.markDirty();
  }

  private replaceUnits(units: UnitView[]): void {
    const seen = new Set<string>();
    for (const u of units) {
      seen.add(u.name);
      const old = this.byName.get(u.name);
      if (!old || JSON.stringify(old) !== JSON.stringify(u)) this.byName.set(u.name, u);
    }
    for (const name of [...this.byName.keys()]) if (!seen.has(name)) this.byName.delete(name);
  }

  private retry(err: unknown): void {
    this.stream = undefined;
    const delay = Math.min(this.opts.backoff.maxMs, this.opts.backoff.firstMs * 2 ** this.attempt);
    this.attempt++;
    const message = err instanceof Error ? err.message : String(err);
    this.state = { ...this.state, connection: 'reconnecting', error: message, retryAt: this.timers.now() + delay };
    this.markDirty(true);
    this.retryTimer = this.timers.setTimeout(() => void this.connect(), delay);
  }

  private markDirty(now = false): void {
    this.dirty = true;
    if (now) return this.flush();
    if (this.flushTimer === undefined) this.flushTimer = this.timers.setTimeout(() => this.flush(), this.opts.flushMs);
  }

  private flush(): void {
    this.timers.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const units = [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.state = { ...this.state, units, events: [...this.events], lastSeq: this.lastSeq };
    for (const fn of this.listeners) fn();
  }
}
