/**
 * Benchmark (not a test): a 10-step Dockerfile built by berth and by
 * `docker build` (dockerd from Debian's docker.io, started here with its own
 * data/exec roots, no bridge, no iptables, stopped at the end), in the same
 * run: the first build, a fully cached rebuild, and a rebuild after one late
 * COPY changed (the steps after it run again). Medians, and berth's ratio.
 *
 *   node --import tsx bench/build-cache.ts [ITERATIONS]   (as root)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildImage } from '../src/image/build-exec/build-image.js';
import { ensureBaseImage } from '../src/image/base-images.js';
import { ImageStore } from '../src/image/image-store.js';
import { ContainerDriver } from '../src/runtime/container/driver.js';
import { ContainerBuildRunner } from '../src/supervisor/container-build-runner.js';

const N = Number(process.argv[2] ?? 5);
const base = mkdtempSync(join(tmpdir(), 'berth-bench-build-'));
const ctx = join(base, 'ctx');
mkdirSync(ctx);
writeFileSync(join(ctx, 'Dockerfile'), `ARG BASE=busybox
FROM $BASE
ENV APP=bench
WORKDIR /app
COPY a.txt /app/
RUN cat a.txt > a.copy
COPY b.txt /app/
RUN mkdir -p /app/data && echo built > /app/data/x
COPY late.txt /app/
RUN cat /app/late.txt > /app/late.copy
LABEL bench=build-cache
CMD ["cat", "/app/late.copy"]
`);
writeFileSync(join(ctx, 'a.txt'), 'a\n'.repeat(1000));
writeFileSync(join(ctx, 'b.txt'), 'b\n'.repeat(1000));
let lateN = 0;
const touchLate = () => writeFileSync(join(ctx, 'late.txt'), `late ${++lateN}\n`);
touchLate();

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<void>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// berth
const root = join(base, 'berth');
const store = await ImageStore.open(root);
const driver = new ContainerDriver({ root });
const runner = new ContainerBuildRunner(driver, root);
const busybox = await ensureBaseImage(store, 'busybox');
const berthBuild = async () => {
  const r = await buildImage({ store, runner, contextDir: ctx, tags: ['bench:1'] });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
};
const results: Record<string, Record<string, number>> = { berth: {} };
results.berth!.first = await time(berthBuild);
const cached: number[] = [];
const late: number[] = [];
for (let i = 0; i < N; i++) {
  cached.push(await time(berthBuild));
  touchLate();
  late.push(await time(berthBuild));
}
results.berth!.cached = median(cached);
results.berth!.late = median(late);

// docker
let dockerd: ChildProcess | undefined;
const droot = join(base, 'docker');
const sock = join(droot, 'docker.sock');
const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
try {
  execFileSync('sh', ['-c', 'command -v dockerd && command -v docker']);
  mkdirSync(droot, { recursive: true });
  dockerd = spawn('dockerd', ['--data-root', join(droot, 'data'), '--exec-root', join(droot, 'exec'), '--pidfile', join(droot, 'dockerd.pid'), '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip-masq=false'], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 100; i++) {
    try {
      docker('version');
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const layer = (await store.layerDirs(busybox))[0]!;
  execFileSync('sh', ['-c', `tar -C ${layer} -c . | docker -H unix://${sock} import - bench-busybox`], { stdio: 'ignore' });
  const dockerBuild = async () => {
    docker('build', '-q', '--network', 'none', '--build-arg', 'BASE=bench-busybox', '-t', 'bench:1', ctx);
  };
  results.docker = {};
  results.docker.first = await time(dockerBuild);
  const dc: number[] = [];
  const dl: number[] = [];
  for (let i = 0; i < N; i++) {
    dc.push(await time(dockerBuild));
    touchLate();
    dl.push(await time(dockerBuild));
  }
  results.docker.cached = median(dc);
  results.docker.late = median(dl);
} catch (err) {
  process.stdout.write(`docker: skipped (${(err as Error).message.split('\n')[0]}); install docker.io (Debian) to compare\n`);
} finally {
  if (dockerd?.pid) {
    dockerd.kill('SIGTERM');
    await new Promise((r) => dockerd!.once('exit', r));
  }
  try {
    execFileSync('sh', ['-c', `grep -o ' ${droot}[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]);
  } catch { /* nothing mounted */ }
  await driver.cleanupLeftovers();
  rmSync(base, { recursive: true, force: true });
}

const ms = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(0)} ms`);
process.stdout.write(`10-step Dockerfile, median of ${N} (first build: one run)\n`);
process.stdout.write(`${'case'.padEnd(24)}${'berth'.padStart(12)}${'docker'.padStart(12)}${'berth/docker'.padStart(14)}\n`);
for (const k of ['first', 'cached', 'late'] as const) {
  const b = results.berth![k];
  const d = results.docker?.[k];
  const label = { first: 'first build', cached: 'cached rebuild', late: 'late COPY changed' }[k];
  process.stdout.write(`${label.padEnd(24)}${ms(b).padStart(12)}${ms(d).padStart(12)}${(d ? `${(b! / d).toFixed(2)}x` : '-').padStart(14)}\n`);
}
