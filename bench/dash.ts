/**
 * Benchmark (not a test): CPU and memory of `berth dash` in tmux while 200
 * units change state, for 60 s. The agent is a fake API server on a unix
 * socket (exact and cheap: the numbers are the dashboard's alone) serving
 * /v1/info, /v1/units, /v1/dash/usage and an event stream of ~EVENTS_PER_S
 * state changes per second.
 *
 *   node --import tsx bench/dash.ts [SECONDS] [UNITS] [EVENTS_PER_S]    (after npm run build; needs tmux)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BerthEvent, EventBody } from '../src/supervisor/events.js';
import type { UnitView } from '../src/ui/dash-client.js';

const SECONDS = Number(process.argv[2] ?? 60);
const UNITS = Number(process.argv[3] ?? 200);
const RATE = Number(process.argv[4] ?? 40);
const repo = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bt-dash-bench-'));
const sock = join(dir, 'api.sock');
const session = `bt-dash-bench-${randomBytes(3).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const units: UnitView[] = Array.from({ length: UNITS }, (_, i) => ({
  name: `svc-${String(i).padStart(3, '0')}`, kind: 'service', isolation: i % 4 ? 'container' : 'process', state: 'running',
  desired: 'up', restarts: 0, ports: [], startedAt: Date.now(), instance: `i${i}`,
}));
const events: BerthEvent[] = [];
const streams = new Set<http.ServerResponse>();
let seq = 0;
const emit = (body: EventBody) => {
  const e = { ...body, seq: ++seq, time: Date.now() } as BerthEvent;
  events.push(e);
  if (events.length > 5000) events.shift();
  for (const s of streams) s.write(`${JSON.stringify(e)}\n`);
};

// each tick moves one random unit one step around running → exited → backing-off → started
const step = () => {
  const u = units[Math.floor(Math.random() * units.length)]!;
  if (u.state === 'running') {
    u.state = 'exited';
    emit({ type: 'unit.exited', unit: u.name, code: 1, signal: null, oomKilled: false, lastLogLines: [] });
  } else if (u.state === 'exited') {
    u.state = 'backing-off';
    emit({ type: 'unit.backing-off', unit: u.name, delayMs: 2000, until: Date.now() + 2000, reason: 'exit 1' });
  } else {
    u.state = 'running';
    emit({ type: 'unit.started', unit: u.name, instance: `${u.name}-${seq}` });
  }
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
  if (url.pathname === '/v1/info') return json({ version: 'bench', hostname: 'bench', cgroup: 'v2', isolations: { container: { ok: true, detail: 'fake' } }, lastSeq: seq });
  if (url.pathname === '/v1/units') return json(units);
  if (url.pathname === '/v1/dash/usage') {
    const names = (url.searchParams.get('units') ?? '').split(',');
    return json(Object.fromEntries(names.map((n) => [n, { cpuNs: Date.now() * 1000, memoryBytes: 20e6, memoryLimitBytes: 64e6, at: Date.now() }])));
  }
  if (url.pathname === '/v1/events') {
    const since = Number(url.searchParams.get('since') ?? 0);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const e of events) if (e.seq > since) res.write(`${JSON.stringify(e)}\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'E_NOT_FOUND', message: `no route ${url.pathname}` }));
});

/** utime+stime (clock ticks) and RSS (kB) of a pid. */
function sample(pid: number): { ticks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { ticks: Number(fields[11]) + Number(fields[12]), rssKb: Number(rss?.[1] ?? 0) };
}

/** The dashboard's node process: the pane's process or its child. */
function dashPid(): number {
  const pane = Number(execFileSync('tmux', ['display-message', '-p', '-t', session, '#{pane_pid}'], { encoding: 'utf8' }).trim());
  if (readFileSync(`/proc/${pane}/comm`, 'utf8').trim() === 'node') return pane;
  return Number(execFileSync('pgrep', ['-P', String(pane), 'node'], { encoding: 'utf8' }).trim().split('\n')[0]);
}

try {
  await new Promise<void>((r) => server.listen(sock, r));
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '48', '-c', repo, `${process.env.DASH_NODE_OPTIONS ? `NODE_OPTIONS=${process.env.DASH_NODE_OPTIONS} ` : ""}${process.execPath} bin/berth.js --host unix://${sock} dash`]);
  const end0 = Date.now() + 60_000;
  while (!/svc-000/.test(execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }))) {
    if (Date.now() > end0) throw new Error('berth dash did not show the units within 60 s (is dist/ built?)');
    await sleep(200);
  }
  const pid = dashPid();
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const ticker = setInterval(step, 1000 / RATE);
  const first = sample(pid);
  const t0 = Date.now();
  const rss: number[] = [];
  const cpu: number[] = [];
  let prev = first;
  for (let s = 0; s < SECONDS; s++) {
    await sleep(1000);
    const now = sample(pid);
    cpu.push(((now.ticks - prev.ticks) / hz) * 100);
    rss.push(now.rssKb);
    prev = now;
  }
  clearInterval(ticker);
  const wall = (Date.now() - t0) / 1000;
  const total = ((prev.ticks - first.ticks) / hz / wall) * 100;
  const sorted = cpu.slice().sort((a, b) => a - b);
  const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
  console.log(`berth dash, ${UNITS} units, ${RATE} state changes/s, ${wall.toFixed(0)} s, ${seq} events`);
  console.log(`cpu: mean ${total.toFixed(1)}% of one core, p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)}%, max ${sorted.at(-1)!.toFixed(1)}%`);
  console.log(`rss: start ${(rss[0]! / 1024).toFixed(1)} MiB, end ${(rss.at(-1)! / 1024).toFixed(1)} MiB, max ${(Math.max(...rss) / 1024).toFixed(1)} MiB`);
  console.log(`screen still live: ${/● live/.test(screen) ? 'yes' : 'NO'}`);
} finally {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  for (const s of streams) s.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
