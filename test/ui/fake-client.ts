/**
 * A fake DashClient for dashboard tests: canned GET answers by path, a log
 * of POSTs, and event/log streams the test pushes values into.
 */
import type { BerthEvent, EventBody } from '../../src/supervisor/events.js';
import type { DashClient, DashInfo, UnitView } from '../../src/ui/dash-client.js';
import { BerthError } from '../../src/errors.js';

export interface OpenStream {
  path: string;
  push: (v: unknown) => void;
  end: (err?: Error) => void;
  stopped: boolean;
}

/** A scripted agent. */
export class FakeClient implements DashClient {
  units: UnitView[];
  info: DashInfo;
  seq: number;
  readonly posts: string[] = [];
  readonly gets: string[] = [];
  readonly streams: OpenStream[] = [];
  /** extra GET answers by path prefix (a function may throw) */
  readonly routes = new Map<string, (path: string) => unknown>();
  /** POST answers by path prefix, before the unit actions (a function may throw) */
  readonly postRoutes = new Map<string, (path: string) => unknown>();
  /** stream answers by path prefix: the handler gets the open stream to push into (and end) */
  readonly streamRoutes = new Map<string, (s: OpenStream) => void>();
  /** when set, every request fails as if the agent were gone */
  down = false;

  constructor(units: UnitView[], lastSeq = 10) {
    this.units = units;
    this.seq = lastSeq;
    this.info = { version: '0.1.0', hostname: 'web-01', cgroup: 'v2', isolations: { container: { ok: true, detail: 'crun 1.14' }, vm: { ok: true, detail: 'tcg (no /dev/kvm)' } }, lastSeq };
  }

  private gone(): BerthError {
    return new BerthError('E_AGENT_UNREACHABLE', 'no agent answers at unix:///fake.sock');
  }

  async get<T>(path: string): Promise<T> {
    this.gets.push(path);
    if (this.down) throw this.gone();
    if (path === '/v1/info') return { ...this.info, lastSeq: this.seq } as T;
    if (path === '/v1/units') return structuredClone(this.units) as T;
    const hit = [...this.routes.entries()].filter(([p]) => path.startsWith(p)).sort((a, b) => b[0].length - a[0].length)[0];
    if (hit) return hit[1](path) as T;
    throw new BerthError('E_NOT_FOUND', `no route GET ${path.split('?')[0]}`);
  }

  async post<T>(path: string): Promise<T> {
    this.posts.push(path);
    if (this.down) throw this.gone();
    const hit = [...this.postRoutes.entries()].find(([p]) => path.startsWith(p));
    if (hit) return hit[1](path) as T;
    const name = decodeURIComponent(path.split('/')[3] ?? '');
    const u = this.units.find((x) => x.name === name);
    if (!u) throw new BerthError('E_UNIT_NOT_FOUND', `no unit named ${name}`);
    return u as T;
  }

  stream<T>(path: string, onValue: (v: T) => void): { done: Promise<void>; stop: () => void } {
    let settle!: (err?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    const s: OpenStream = { path, push: (v) => !s.stopped && onValue(v as T), end: (err) => { s.stopped = true; settle(err); }, stopped: false };
    const hook = [...this.streamRoutes.entries()].find(([p]) => path.startsWith(p));
    if (this.down) settle(this.gone());
    else if (hook) {
      this.streams.push(s);
      hook[1](s);
    } else if (path.startsWith('/v1/events') || path.includes('/logs')) this.streams.push(s);
    else {
      // any other path answers as an agent that ignores `follow` would: its plain GET, once
      this.get(path.split('?')[0]!).then((v) => { s.push(v); s.end(); }, (err: Error) => s.end(err));
    }
    return { done, stop: () => { s.stopped = true; settle(); } };
  }

  /** The open streams whose path starts with `prefix`. */
  open(prefix: string): OpenStream[] {
    return this.streams.filter((s) => !s.stopped && s.path.startsWith(prefix));
  }

  /** Emits an event (next seq) on every open event stream. */
  emit(body: EventBody, time = Date.now()): BerthEvent {
    const e = { ...body, seq: ++this.seq, time } as BerthEvent;
    for (const s of this.open('/v1/events')) s.push(e);
    return e;
  }
}

/** A unit view with defaults. */
export function unitView(name: string, over: Partial<UnitView> = {}): UnitView {
  return { name, kind: 'service', isolation: 'container', state: 'running', desired: 'up', restarts: 0, ports: [], startedAt: Date.now() - 60_000, instance: `${name}-1`, ...over };
}

/** Lets promises and Ink's render settle. */
export function settle(ms = 20): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
