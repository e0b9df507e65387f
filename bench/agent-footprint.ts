/**
 * Benchmark (not a test): the agent's memory (RSS) and CPU while it
 * supervises 100 process units and 20 containers for a minute, next to PM2's
 * daemon supervising the same 100 processes (`sleep`). RSS is sampled every
 * second from /proc (median and max); CPU is (utime+stime) over the window,
 * in % of one core. berth's per-process shims (perl) and conmons live
 * outside the agent; their memory is printed separately, as are PM2's
 * children (none besides the services).
 *
 *   node --import tsx bench/agent-footprint.ts [SECONDS]   (as root; default 60)
 *   BERTH_CLI_ENTRY=dist/cli/main.js …   runs the agent compiled, without the tsx loader
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnitView } from '../src/supervisor/agent.js';
import { processesMentioning, sleep, startAgentProcess, uniqueName, until } from '../test/helpers/agent-process.js';

const SECONDS = Number(process.argv[2] ?? 60);
const PROCESSES = 100;
const CONTAINERS = 20;
const REPO = new URL('..', import.meta.url).pathname;
const PM2 = join(REPO, 'node_modules/.bin/pm2');
const TICK = 100; // USER_HZ on Linux

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (kb: number) => (kb / 1024).toFixed(1);
const sumRss = (pids: number[]) => pids.reduce((s, p) => { try { return s + rssKb(p); } catch { return s; } }, 0);

interface Footprint { rssMedianKb: number; rssMaxKb: number; cpuPct: number; helpersKb: number }

/** Samples one pid for the window; `helpers` gives pids whose RSS is reported beside it. */
async function measure(pid: number, helpers: () => number[]): Promise<Footprint> {
  const samples: number[] = [];
  const t0 = Date.now();
  const c0 = cpuTicks(pid);
  while (Date.now() - t0 < SECONDS * 1000) {
    samples.push(rssKb(pid));
    await sleep(1000);
  }
  const cpuPct = ((cpuTicks(pid) - c0) / TICK) / ((Date.now() - t0) / 1000) * 100;
  return { rssMedianKb: median(samples), rssMaxKb: Math.max(...samples), cpuPct, helpersKb: sumRss(helpers()) };
}

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<string>((resolve, reject) => execFile(cmd, args, { env, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))));

async function berth(): Promise<Footprint> {
  const id = uniqueName();
  const units: Record<string, string> = {};
  for (let i = 0; i < PROCESSES; i++) units[`p${i}.yaml`] = `name: ${id}-p${i}\nkind: service\nisolation: process\nstop: { timeout: 1s }\nrun: { command: [sleep, "100000"] }\n`;
  for (let i = 0; i < CONTAINERS; i++) units[`c${i}.yaml`] = `name: ${id}-c${i}\nkind: service\nimage: { from: busybox }\nnetwork: { attach: [] }\nstop: { timeout: 1s }\nrun: { command: [sleep, "100000"] }\n`;
  const agent = await startAgentProcess({ units, startTimeoutMs: 120_000, args: ['--quiet'] });
  try {
    const started = Date.now();
    await until('every unit running', async () => {
      const list = await agent.client.get<UnitView[]>('/v1/units');
      return list.filter((u) => u.state === 'running').length === PROCESSES + CONTAINERS ? true : undefined;
    }, 300_000, 1000);
    console.log(`berth: ${PROCESSES} process units + ${CONTAINERS} containers running ${((Date.now() - started) / 1000).toFixed(1)} s after the agent's first apply`);
    return await measure(agent.pid, () => processesMentioning(`${agent.root}/`).filter((p) => p !== agent.pid));
  } finally {
    const left = await agent.cleanup();
    if (left.length) process.stderr.write(`leftovers after down: ${left.length}\n`);
  }
}

async function pm2(): Promise<Footprint> {
  const home = mkdtempSync(join(tmpdir(), 'bt-pm2-'));
  const env = { ...process.env, PM2_HOME: home };
  const eco = join(home, 'ecosystem.config.cjs');
  const apps = Array.from({ length: PROCESSES }, (_, i) => ({ name: `p${i}`, script: '/bin/sleep', args: ['100000'], interpreter: 'none', autorestart: true }));
  writeFileSync(eco, `module.exports = ${JSON.stringify({ apps })};\n`);
  try {
    await run(PM2, ['start', eco], env);
    const pid = Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim());
    await until('every PM2 app online', async () => {
      const list = JSON.parse(await run(PM2, ['jlist'], env)) as { pm2_env: { status: string } }[];
      return list.filter((a) => a.pm2_env.status === 'online').length === PROCESSES ? true : undefined;
    }, 120_000, 1000);
    return await measure(pid, () => []);
  } finally {
    await run(PM2, ['kill'], env).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

const b = await berth();
const p = await pm2();
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`footprint over ${SECONDS} s (load average ${load}; agent run ${process.env.BERTH_CLI_ENTRY ? `from ${process.env.BERTH_CLI_ENTRY}` : 'from the sources under tsx'})`);
console.log(`berth agent  RSS median ${mb(b.rssMedianKb)} MB, max ${mb(b.rssMaxKb)} MB, CPU ${b.cpuPct.toFixed(2)} %  (${PROCESSES} processes + ${CONTAINERS} containers; shims+conmons outside the agent: ${mb(b.helpersKb)} MB)`);
console.log(`PM2 daemon   RSS median ${mb(p.rssMedianKb)} MB, max ${mb(p.rssMaxKb)} MB, CPU ${p.cpuPct.toFixed(2)} %  (${PROCESSES} processes)`);
console.log(`ratio berth/PM2: RSS ${(b.rssMedianKb / p.rssMedianKb).toFixed(2)}, CPU ${p.cpuPct > 0 ? (b.cpuPct / p.cpuPct).toFixed(2) : 'n/a (PM2 used no measurable CPU)'}`);
