/**
 * A fake agent for dashboard tests that run the real `berth dash` (in tmux):
 * an HTTP server on a unix socket with /v1/info, /v1/units, the event stream,
 * /v1/dash/usage, logs, the host's systemd units and the POST actions. Cheap
 * and exact: what the screen should show is known.
 */
import http from 'node:http';
import type { BerthEvent, EventBody } from '../../src/supervisor/events.js';
import type { UnitView } from '../../src/ui/dash-client.js';
import type { HostUnitView } from '../../src/systemd/host-units.js';

/** A running fake agent. */
export interface FakeAgent {
  units: UnitView[];
  systemd: HostUnitView[];
  /** POST paths received */
  posts: string[];
  emit(body: EventBody): BerthEvent;
  close(): Promise<void>;
}

/** `count` services named svc-000… */
export function manyUnits(count: number): UnitView[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`, kind: 'service', isolation: i % 4 ? 'container' : 'process', state: 'running',
    desired: 'up', restarts: 0, ports: [], startedAt: Date.now() - 3_600_000, instance: `i${i}`,
  }));
}

/** Serves a fake agent on `socket`. */
export async function startFakeAgent(socket: string, units: UnitView[], systemd: HostUnitView[] = []): Promise<FakeAgent> {
  const events: BerthEvent[] = [];
  const streams = new Set<http.ServerResponse>();
  const posts: string[] = [];
  let seq = 0;
  const emit = (body: EventBody): BerthEvent => {
    const e = { ...body, seq: ++seq, time: Date.now() } as BerthEvent;
    events.push(e);
    for (const s of streams) s.write(`${JSON.stringify(e)}\n`);
    return e;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (v: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    const p = url.pathname;
    if (req.method === 'POST') {
      posts.push(p);
      const sd = /^\/v1\/systemd\/units\/([^/]+)\/(start|stop|restart)$/.exec(p);
      if (sd) {
        const u = systemd.find((x) => x.name === decodeURIComponent(sd[1]!));
        if (!u) return json({ code: 'E_SYSTEMD_NO_SUCH_UNIT', message: `no unit ${sd[1]}` }, 404);
        Object.assign(u, sd[2] === 'stop' ? { activeState: 'inactive', subState: 'dead' } : { activeState: 'active', subState: 'running', since: Date.now() });
        return json(u);
      }
      const name = decodeURIComponent(p.split('/')[3] ?? '');
      const u = units.find((x) => x.name === name);
      return u ? json(u) : json({ code: 'E_UNIT_NOT_FOUND', message: `no unit named ${name}` }, 404);
    }
    if (p === '/v1/info') return json({ version: 'fake', hostname: 'fake-host', cgroup: 'v2', isolations: { container: { ok: true, detail: 'crun 1.8' }, vm: { ok: true, detail: 'tcg' } }, lastSeq: seq });
    if (p === '/v1/units') return json(units);
    if (p === '/v1/systemd/units') return json(systemd);
    if (p === '/v1/dash/usage') {
      const names = (url.searchParams.get('units') ?? '').split(',');
      return json(Object.fromEntries(names.map((n) => [n, { cpuNs: 1e9, memoryBytes: 20e6, memoryLimitBytes: 64e6, at: Date.now() }])));
    }
    if (p === '/v1/events' || /^\/v1\/units\/[^/]+\/logs$/.test(p)) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (p === '/v1/events') {
        const since = Number(url.searchParams.get('since') ?? 0);
        for (const e of events) if (e.seq > since) res.write(`${JSON.stringify(e)}\n`);
        streams.add(res);
      } else {
        const unit = decodeURIComponent(p.split('/')[3]!);
        for (let i = 1; i <= 3; i++) res.write(`${JSON.stringify({ time: Date.now(), stream: 'stdout', text: `${unit} line ${i}` })}\n`);
      }
      req.on('close', () => streams.delete(res));
      return;
    }
    if (/^\/v1\/units\/[^/]+\/why$/.test(p)) return json({ why: 'running since a while.' });
    json({ code: 'E_NOT_FOUND', message: `no route ${p}` }, 404);
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    units, systemd, posts, emit,
    close: async () => {
      for (const s of streams) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
