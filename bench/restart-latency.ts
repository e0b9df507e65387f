/**
 * Benchmark (not a test): time from a service's crash to its replacement
 * running, with zero restart delay, for berth's process and container
 * isolations (through a real agent), PM2 (npm) and supervisord (Debian),
 * all on the same command. The service appends `start` to a file when it
 * starts, and `exit` just before it exits 1 half a second later; the bench
 * watches the file (inotify) and takes the gap between an `exit` line and
 * the next `start` line. Each peer runs with its own home/config, never a
 * system service. Prints medians and ratios.
 *
 *   node --import tsx bench/restart-latency.ts [SAMPLES]   (as root; default 15)
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep, startAgentProcess, uniqueName, type AgentProcess } from '../test/helpers/agent-process.js';

const SAMPLES = Number(process.argv[2] ?? 15);
const REPO = new URL('..', import.meta.url).pathname;
const PM2 = join(REPO, 'node_modules/.bin/pm2');
const tmp = mkdtempSync(join(tmpdir(), 'bt-restart-bench-'));

/** The service: same shell for everyone; `file` is where it reports. */
const script = (file: string) => `echo start >> ${file}; sleep 0.5; echo exit >> ${file}; exit 1`;

/** Watches a report file; resolves with `n` exit→start gaps in ms. */
function gaps(file: string, n: number, timeoutMs: number): Promise<number[]> {
  writeFileSync(file, '');
  return new Promise((resolve, reject) => {
    const out: number[] = [];
    let seen = 0;
    let lastExit: number | undefined;
    const read = () => {
      const now = performance.now();
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      for (const line of lines.slice(seen)) {
        if (line === 'exit') lastExit = now;
        else if (line === 'start' && lastExit !== undefined) {
          out.push(now - lastExit);
          lastExit = undefined;
        }
      }
      seen = lines.length;
      if (out.length >= n) finish();
    };
    const watcher = watch(file, read);
    const timer = setTimeout(() => finish(new Error(`only ${out.length} of ${n} restarts within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error) => {
      watcher.close();
      clearTimeout(timer);
      if (err && out.length < 3) reject(err);
      else resolve(out.slice(0, n));
    };
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<string>((resolve, reject) => execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout))));

async function berth(isolation: 'process' | 'container', agent: AgentProcess): Promise<number[]> {
  const name = uniqueName(isolation.slice(0, 4));
  const file = join(tmp, `${name}.log`);
  const yaml = [
    `name: ${name}`, 'kind: service', `isolation: ${isolation}`,
    ...(isolation === 'container' ? ['image: { from: busybox }', 'network: { attach: [] }', `volumes: [ { host: ${tmp}, path: ${tmp} } ]`] : []),
    `run: { command: "${script(file)}" }`,
    'restart: { policy: always, delay: 0s, jitter: 0, burst: 100000, within: 1m }', '',
  ].join('\n');
  for (const f of ['p.yaml', 'c.yaml']) agent.writeUnit(f, null);
  agent.writeUnit(isolation === 'process' ? 'p.yaml' : 'c.yaml', yaml);
  const result = gaps(file, SAMPLES, 120_000);
  await agent.client.post('/v1/apply', { dir: agent.unitsDir });
  try {
    return await result;
  } finally {
    await agent.client.post('/v1/down', {});
  }
}

async function pm2(): Promise<number[]> {
  const home = join(tmp, 'pm2');
  const env = { ...process.env, PM2_HOME: home };
  const file = join(tmp, 'pm2.log');
  const eco = join(tmp, 'ecosystem.config.cjs');
  writeFileSync(eco, `module.exports = { apps: [{ name: 'lat', script: '/bin/sh', args: ['-c', ${JSON.stringify(script(file))}], interpreter: 'none',
    autorestart: true, restart_delay: 0, min_uptime: 100, max_restarts: 100000 }] };\n`);
  const result = gaps(file, SAMPLES, 120_000);
  try {
    await run(PM2, ['start', eco], env);
    return await result;
  } finally {
    await run(PM2, ['kill'], env).catch(() => undefined);
  }
}

async function supervisord(): Promise<number[]> {
  const dir = join(tmp, 'supervisor');
  rmSync(dir, { recursive: true, force: true });
  await run('mkdir', ['-p', dir]);
  const file = join(tmp, 'supervisord.log');
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, [
    '[unix_http_server]', `file=${dir}/s.sock`,
    '[supervisord]', `logfile=${dir}/supervisord.log`, `pidfile=${dir}/supervisord.pid`, `childlogdir=${dir}`, 'nodaemon=true',
    '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]', `serverurl=unix://${dir}/s.sock`,
    '[program:lat]', `command=/bin/sh -c '${script(file)}'`, 'autorestart=true', 'startsecs=0', 'startretries=100000', '',
  ].join('\n'));
  const result = gaps(file, SAMPLES, 120_000);
  const child = spawn('supervisord', ['-c', conf], { stdio: 'ignore' });
  try {
    return await result;
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(10_000)]);
  }
}

const results: Record<string, number[]> = {};
const agent = await startAgentProcess({ applyOnStart: false });
try {
  results['berth process'] = await berth('process', agent);
  results['berth container'] = await berth('container', agent);
} finally {
  const left = await agent.cleanup();
  if (left.length) process.stderr.write(`leftovers after down: ${left.join('; ')}\n`);
}
results.pm2 = await pm2();
results.supervisord = await supervisord();
rmSync(tmp, { recursive: true, force: true });

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`crash → replacement running (ms), ${SAMPLES} restarts each, policy always, zero delay; load average ${load}`);
const base = median(results['berth process']!);
for (const [who, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${who.padEnd(18)} median ${m.toFixed(1).padStart(7)}  min ${Math.min(...xs).toFixed(1).padStart(7)}  max ${Math.max(...xs).toFixed(1).padStart(7)}  ×${(m / base).toFixed(2)} of berth process`);
}
const ratio = (a: string, b: string) => `${a} / ${b} = ${(median(results[a]!) / median(results[b]!)).toFixed(2)}`;
console.log([ratio('berth process', 'pm2'), ratio('berth process', 'supervisord'), ratio('berth container', 'pm2'), ratio('berth container', 'supervisord')].join('\n'));
