/**
 * Benchmark (not a test): requests/s and p99 of `GET /v1/units` against an
 * agent with 100 process units, next to what `docker ps` asks dockerd
 * (`GET /containers/json`) with 100 running containers, in the same run and
 * the same load generator; then the wall time of the CLIs themselves
 * (`berth ps` vs `docker ps`). dockerd runs with its own data and exec roots,
 * `--bridge=none --iptables=false`, and is stopped after. A peer that cannot
 * run is skipped with a line saying why.
 *
 *   node --import tsx bench/api.ts [SECONDS] [CLIENTS]   (as root)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processesMentioning, startAgentProcess, uniqueName, until } from '../test/helpers/agent-process.js';
import { formatLoad, quantile, runLoad, type LoadResult } from './http-load.js';

const run = promisify(execFile);
const SECONDS = Number(process.argv[2] ?? 10);
const CLIENTS = Number(process.argv[3] ?? 20);
const UNITS = 100;
const CLI_RUNS = 10;
const REPO = new URL('..', import.meta.url).pathname;

/** `fn` on every item, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
  }));
}

/** Median and p99 wall ms of running a command `n` times. */
async function timeCli(cmd: string, args: string[], n: number): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(cmd, args, { env: { ...process.env, NO_COLOR: '1' } });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return `median ${quantile(ms, 0.5).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms over ${n} runs`;
}

/** A private dockerd with 100 running busybox containers; undefined (and why) when it cannot run. */
async function startDockerd(): Promise<{ sock: string; stop: () => Promise<void> } | string> {
  for (const tool of ['dockerd', 'docker', 'containerd']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (apt-get install docker.io; scripts/setup lists it)`;
    }
  }
  const base = mkdtempSync(join(tmpdir(), 'bt-dockerd-'));
  const sock = join(base, 'docker.sock');
  const log: string[] = [];
  const proc: ChildProcess = spawn('dockerd', ['--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '--pidfile', join(base, 'dockerd.pid'),
    '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip-masq=false', '--userland-proxy=false'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  const docker = (...args: string[]) => run('docker', ['-H', `unix://${sock}`, ...args], { maxBuffer: 64 << 20 });
  const stop = async () => {
    await docker('rm', '-f', ...(await docker('ps', '-aq')).stdout.split('\n').filter(Boolean)).catch(() => undefined);
    if (proc.exitCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    // shims and mounts left under the private roots
    for (const pid of processesMentioning(base)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await run('sh', ['-c', `grep -o " ${base}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`]).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await until('dockerd to answer', async () => {
      if (proc.exitCode !== null) throw new Error(`dockerd exited ${proc.exitCode}: ${log.join('').slice(-1500)}`);
      await docker('version');
      return true;
    }, 60_000, 250);
    const rootfs = join(base, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync(existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox', join(rootfs, 'bin/busybox'));
    await run('sh', ['-c', `tar -C ${rootfs} -c . | docker -H unix://${sock} import - bt-bench:latest`]);
    await pool(Array.from({ length: UNITS }, (_, i) => i), 8, (i) => docker('run', '-d', '--network', 'none', '--name', `bt-bench-${i}`, 'bt-bench:latest', '/bin/busybox', 'sleep', '1000'));
    return { sock, stop };
  } catch (err) {
    await stop();
    return `dockerd could not run here: ${(err as Error).message.split('\n')[0]}`;
  }
}

const results: Record<string, LoadResult> = {};
const names = Array.from({ length: UNITS }, (_, i) => `${uniqueName()}-${i}`);
process.stdout.write(`bench/api: ${CLIENTS} clients × ${SECONDS} s per contender, ${UNITS} units/containers each\n`);
const berth = await startAgentProcess({
  args: ['--no-docker-socket', '--quiet'],
  units: Object.fromEntries(names.map((n) => [`${n}.yaml`, `name: ${n}\nkind: service\nisolation: process\nrun: { command: [sleep, "1000"] }\n`])),
  startTimeoutMs: 60_000,
});
let dockerd: Awaited<ReturnType<typeof startDockerd>> | undefined;
try {
  await until(`${UNITS} units running`, async () => {
    const u = await berth.client.get<{ state: string }[]>('/v1/units');
    return u.length === UNITS && u.every((x) => x.state === 'running') ? true : undefined;
  }, 120_000, 250);
  dockerd = await startDockerd();

  results.berth = await runLoad({ target: { socketPath: berth.socket }, clients: CLIENTS, durationMs: SECONDS * 1000, path: () => '/v1/units' });
  process.stdout.write(`${formatLoad('berth  GET /v1/units          ', results.berth)}\n`);
  if (typeof dockerd === 'string') process.stdout.write(`docker: skipped — ${dockerd}\n`);
  else {
    results.docker = await runLoad({ target: { socketPath: dockerd.sock }, clients: CLIENTS, durationMs: SECONDS * 1000, path: () => '/v1.41/containers/json' });
    process.stdout.write(`${formatLoad('dockerd GET /containers/json   ', results.docker)}\n`);
    process.stdout.write(`ratio berth/docker: ${(results.berth.perSecond / results.docker.perSecond).toFixed(2)}× requests/s, p99 ${(results.berth.p99Ms / results.docker.p99Ms).toFixed(2)}× (lower is better)\n`);
  }
  const podman = await run('sh', ['-c', 'command -v podman']).then(() => true, () => false);
  if (!podman) process.stdout.write('podman: skipped — not installed (apt-get install podman)\n');

  const berthCli = existsSync(join(REPO, 'dist/cli/main.js')) ? [join(REPO, 'bin/berth.js')] : ['--import', 'tsx', join(REPO, 'src/cli/main.ts')];
  process.stdout.write(`CLI   berth ps (${berthCli.length === 1 ? 'dist' : 'tsx'}): ${await timeCli(process.execPath, [...berthCli, '-H', berth.host, 'ps'], CLI_RUNS)}\n`);
  if (typeof dockerd !== 'string') process.stdout.write(`CLI   docker ps: ${await timeCli('docker', ['-H', `unix://${dockerd.sock}`, 'ps'], CLI_RUNS)}\n`);
  process.stdout.write(`host load while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
} finally {
  if (dockerd && typeof dockerd !== 'string') await dockerd.stop();
  await berth.cleanup();
}
