/**
 * The ledger: berth's append-only, bounded, sequence-numbered event log.
 *
 * On disk: a folder of NDJSON segments `seg-<first seq, 20 digits>.ndjson`.
 * `append` writes one line and fsyncs it before it returns, so an event the
 * caller saw acknowledged survives `kill -9` and power loss. A segment that
 * grows past `maxSegmentBytes` is closed and a new one begins; only the
 * newest `maxSegments` are kept. On open, the newest segment is checked line
 * by line: a torn or unparsable tail (a kill in mid-write) is cut off, and
 * numbering continues from the last good line (or the segment's name when
 * it is empty), so `seq` never repeats and never skips across restarts.
 *
 * Writes are synchronous on purpose: one writer, strict order, and `follow`
 * (backlog, then live) has no gap because nothing can append in between. A
 * completed write(2) already survives `kill -9` of the agent (page cache);
 * fsync is for power loss, and how it is paid is `durability`:
 * - `each` (default): fsync inside `append`, then subscribers hear of it;
 * - `batch`: `append` returns after the write; one background fdatasync
 *   covers everything appended meanwhile (group commit), and subscribers
 *   hear of events only once they are on disk. `flush()` waits for it. The
 *   agent's event loop then never blocks on the disk.
 */
import { closeSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeEvent, type BerthEvent, type EventBody } from './events.js';

/** Where and how big. */
export interface LedgerOptions {
  dir: string;
  /** a segment is closed once it reaches this size (default 1 MiB) */
  maxSegmentBytes?: number;
  /** how many segments to keep (default 8) */
  maxSegments?: number;
  /** how many recent events to keep in memory for fast reads (default 4096) */
  cacheSize?: number;
  now?: () => number;
  /** fsync at all (default true); tests may turn it off */
  fsync?: boolean;
  /** `each`: fsync in append (default); `batch`: group commit in the background (see above) */
  durability?: 'each' | 'batch';
}

/** Which events a subscriber wants. */
export interface EventFilter {
  unit?: string;
  types?: readonly string[];
}

/** A live listener. */
export type EventListener = (event: BerthEvent) => void;

const SEGMENT = /^seg-(\d{20})\.ndjson$/;
const segName = (first: number) => `seg-${String(first).padStart(20, '0')}.ndjson`;

/** Does `e` pass `filter`? */
export function matchesFilter(e: BerthEvent, filter: EventFilter = {}): boolean {
  if (filter.unit !== undefined && (e as { unit?: string }).unit !== filter.unit) return false;
  if (filter.types && !filter.types.includes(e.type)) return false;
  return true;
}

/** The event log. Open with `Ledger.open`; one instance per folder. */
export class Ledger {
  private segments: number[] = [];
  private fd = -1;
  private size = 0;
  private last = 0;
  private cache: BerthEvent[] = [];
  private listeners = new Set<{ fn: EventListener; filter: EventFilter; after: number }>();
  /** batch mode: events written but not yet fsync'd (hence not yet told) */
  private unsynced: BerthEvent[] = [];
  /** batch mode: the events the running fdatasync covers */
  private inflight: BerthEvent[] = [];
  private syncing = false;
  private syncWaiters: (() => void)[] = [];
  private closeAfterSync: number[] = [];
  private readonly opts: Required<LedgerOptions>;
  /** how many torn or bad lines were cut off at open (0 after a clean stop) */
  readonly repaired: number;

  private constructor(opts: LedgerOptions) {
    this.opts = { maxSegmentBytes: 1 << 20, maxSegments: 8, cacheSize: 4096, now: Date.now, fsync: true, durability: 'each', ...opts };
    mkdirSync(this.opts.dir, { recursive: true });
    this.segments = readdirSync(this.opts.dir).flatMap((n) => (SEGMENT.test(n) ? [Number(SEGMENT.exec(n)![1])] : [])).sort((a, b) => a - b);
    this.repaired = this.recover();
  }

  /** Opens (or creates) the ledger in `opts.dir`, repairing a torn tail. */
  static open(opts: LedgerOptions): Ledger {
    return new Ledger(opts);
  }

  /** The seq of the newest event (0 when none was ever written). */
  get lastSeq(): number {
    return this.last;
  }

  /** The seq of the oldest event still kept (lastSeq + 1 when empty). */
  get firstSeq(): number {
    return this.segments[0] ?? this.last + 1;
  }

  /** Stores an event: numbers it, writes it, fsyncs it (now or batched), then tells subscribers. */
  append(body: EventBody & { time?: number }): BerthEvent {
    if (this.fd < 0) throw new Error('ledger is closed');
    const event = { ...body, seq: this.last + 1, time: body.time ?? this.opts.now() } as BerthEvent;
    const line = `${JSON.stringify(event)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.opts.maxSegmentBytes) this.rotate(event.seq);
    writeSync(this.fd, line);
    this.size += bytes;
    this.last = event.seq;
    this.remember(event);
    if (this.opts.durability === 'batch' && this.opts.fsync) {
      this.unsynced.push(event);
      this.syncInBackground();
    } else {
      if (this.opts.fsync) fsyncSync(this.fd);
      this.tell([event]);
    }
    return event;
  }

  /** Resolves once every event appended so far is on disk (and told to subscribers). */
  flush(): Promise<void> {
    if (this.unsynced.length === 0 && !this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private syncInBackground(): void {
    if (this.syncing) return; // the running sync's callback starts the next one
    this.syncing = true;
    this.inflight = this.unsynced.splice(0);
    fdatasync(this.fd, () => {
      // an error here means the disk failed under us; the next append's write will throw
      this.syncing = false;
      for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
      this.tell(this.inflight.splice(0)); // empty when rotate/close synced and told them first
      if (this.unsynced.length && this.fd >= 0) { this.syncInBackground(); return; }
      this.tell(this.unsynced.splice(0));
      for (const w of this.syncWaiters.splice(0)) w();
    });
  }

  /** Rotation and close: sync now and tell, in order, what the background sync had not told yet. */
  private syncNow(): void {
    if (this.opts.fsync && (this.inflight.length || this.unsynced.length)) fsyncSync(this.fd);
    this.tell(this.inflight.splice(0));
    this.tell(this.unsynced.splice(0));
  }

  private tell(events: BerthEvent[]): void {
    for (const event of events) {
      for (const l of [...this.listeners]) {
        if (event.seq <= l.after || !matchesFilter(event, l.filter)) continue;
        try { l.fn(event); } catch { /* a subscriber's bug must not break the ledger */ }
      }
    }
  }

  /** Exactly the kept events with seq > `seq`, oldest first (at most `limit`, filtered). */
  since(seq: number, options: EventFilter & { limit?: number } = {}): BerthEvent[] {
    const limit = options.limit ?? Infinity;
    const source = this.cache.length > 0 && this.cache[0]!.seq <= seq + 1 ? this.cache : this.readFromDisk(seq);
    const out: BerthEvent[] = [];
    for (const e of source) {
      if (e.seq <= seq || !matchesFilter(e, options)) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The newest `n` events matching `filter`, oldest first (for `berth why`, the dashboard). */
  tail(n: number, filter: EventFilter = {}): BerthEvent[] {
    const out: BerthEvent[] = [];
    for (let i = this.cache.length - 1; i >= 0 && out.length < n; i--) if (matchesFilter(this.cache[i]!, filter)) out.push(this.cache[i]!);
    return out.reverse();
  }

  /** Calls `fn` for every new event that matches; returns the unsubscribe function. */
  subscribe(fn: EventListener, filter: EventFilter = {}): () => void {
    return this.listen(fn, filter, 0);
  }

  private listen(fn: EventListener, filter: EventFilter, after: number): () => void {
    const entry = { fn, filter, after };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Delivers the backlog after `seq`, then live events, with no gap and no duplicate. */
  follow(seq: number, fn: EventListener, filter: EventFilter = {}): () => void {
    const backlog = this.since(seq, filter);
    for (const e of backlog) fn(e);
    // in batch mode the backlog may hold events not yet told: skip them when they are
    return this.listen(fn, filter, backlog.length ? backlog[backlog.length - 1]!.seq : seq);
  }

  /** Syncs and closes the file; further appends throw. */
  close(): void {
    if (this.fd >= 0) {
      this.syncNow();
      if (this.syncing) this.closeAfterSync.push(this.fd); // the background fdatasync still uses it
      else closeSync(this.fd);
    }
    this.fd = -1;
    this.listeners.clear();
  }

  private recover(): number {
    if (this.segments.length === 0) {
      this.last = 0;
      this.openSegment(1);
      return 0;
    }
    const first = this.segments[this.segments.length - 1]!;
    const path = join(this.opts.dir, segName(first));
    const text = readFileSync(path, 'utf8');
    const { events, goodBytes, bad } = parseSegment(text, first);
    this.last = events.length ? events[events.length - 1]!.seq : first - 1;
    this.fd = openSync(path, 'r+');
    if (goodBytes < Buffer.byteLength(text)) {
      ftruncateSync(this.fd, goodBytes);
      fsyncSync(this.fd);
    }
    closeSync(this.fd);
    this.fd = openSync(path, 'a');
    this.size = goodBytes;
    for (const e of this.segments.length > 1 ? this.readFromDisk(first - 1 - this.opts.cacheSize) : []) if (e.seq < first) this.remember(e);
    for (const e of events) this.remember(e);
    return bad;
  }

  private openSegment(first: number): void {
    this.fd = openSync(join(this.opts.dir, segName(first)), 'a');
    this.size = 0;
    if (!this.segments.includes(first)) this.segments.push(first);
    fsyncDir(this.opts.dir);
  }

  private rotate(nextSeq: number): void {
    this.syncNow();
    if (this.syncing) this.closeAfterSync.push(this.fd);
    else closeSync(this.fd);
    this.openSegment(nextSeq);
    while (this.segments.length > this.opts.maxSegments) {
      rmSync(join(this.opts.dir, segName(this.segments.shift()!)), { force: true });
    }
    fsyncDir(this.opts.dir);
  }

  private remember(e: BerthEvent): void {
    this.cache.push(e);
    if (this.cache.length > this.opts.cacheSize * 1.25) this.cache.splice(0, this.cache.length - this.opts.cacheSize);
  }

  private readFromDisk(after: number): BerthEvent[] {
    const out: BerthEvent[] = [];
    this.segments.forEach((first, i) => {
      const next = this.segments[i + 1];
      if (next !== undefined && next <= after + 1) return; // wholly before `after`
      const path = join(this.opts.dir, segName(first));
      try {
        if (statSync(path).size === 0) return;
        out.push(...parseSegment(readFileSync(path, 'utf8'), first).events.filter((e) => e.seq > after));
      } catch { /* removed by rotation meanwhile */ }
    });
    return out;
  }
}

/** Parses a segment; stops at the first torn, unparsable or out-of-order line. */
function parseSegment(text: string, first: number): { events: BerthEvent[]; goodBytes: number; bad: number } {
  const events: BerthEvent[] = [];
  let goodBytes = 0;
  let pos = 0;
  let expect = first;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break; // torn: no newline, never acknowledged
    const line = text.slice(pos, nl);
    let parsed: unknown;
    try { parsed = JSON.parse(line); } catch { break; }
    if (!looksLikeEvent(parsed) || parsed.seq !== expect) break;
    events.push(parsed);
    expect++;
    goodBytes += Buffer.byteLength(line) + 1;
    pos = nl + 1;
  }
  const rest = text.slice(pos);
  const bad = rest.length === 0 ? 0 : rest.split('\n').filter((l) => l.length > 0).length;
  return { events, goodBytes, bad };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}
