/**
 * Benchmark (not a test): median wall time to run `true` in a container
 * through ContainerDriver (start + wait + destroy: overlay, conmon, runtime,
 * teardown) next to the bare runtime's `run` on the same kind of bundle
 * (same hardened config.json, an overlay rootfs mounted once), in one
 * process, interleaved so host load hits every contender alike. At the CLI
 * level, `berth run --rm busybox true` against a running agent (compiled CLI)
 * next to `podman run --rm` on the same rootfs (podman with its own state
 * dirs, cgroupfs, the same runtime), when podman is installed.
 *
 *   node --import tsx bench/container-start.ts [ITERATIONS]   (as root; `npm run build` first for the CLI column)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CAPABILITIES } from '../src/runtime/container/capabilities.js';
import { ContainerDriver } from '../src/runtime/container/driver.js';
import { buildOciConfig } from '../src/runtime/container/oci-config.js';
import { mountOverlay, unmountOverlay } from '../src/runtime/container/overlay.js';
import { deriveRlimits, parseProcLimits } from '../src/runtime/container/rlimits.js';
import { runCommand } from '../src/runtime/container/run-command.js';
import { busyboxLayer } from '../test/helpers/busybox-layer.js';
import { startAgentProcess, type AgentProcess } from '../test/helpers/agent-process.js';

const N = Number(process.argv[2] ?? 20);
const root = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const layer = busyboxLayer();
// per-step timing of berth's runs: id → [step, time] in order (begin/wait/destroy marked here, the rest by the driver)
const marks = new Map<string, [string, number][]>();
const mark = (id: string, step: string, at = performance.now()) => {
  if (!marks.has(id)) marks.set(id, []);
  marks.get(id)!.push([step, at]);
};
const driver = new ContainerDriver({ root, pollMs: 1000, trace: mark });
const runtime = await driver.runtime();

// one bare bundle: the same config berth writes, minus the pre-made netns (the runtime makes its own)
const bare = join(root, 'bare');
const rootfs = join(bare, 'rootfs');
mkdirSync(bare, { recursive: true });
await mountOverlay([layer], { upper: join(bare, 'upper'), work: join(bare, 'work'), merged: rootfs });
for (const f of ['hosts', 'resolv.conf', 'hostname']) writeFileSync(join(bare, f), '');
function bareConfig(id: string): void {
  const config = buildOciConfig({
    spec: { id, unit: 'bench', argv: ['/bin/true'], env: {}, hostname: 'bench', resources: {}, mounts: [], network: { attach: [], ports: [] } },
    user: { uid: 0, gid: 0, additionalGids: [], home: '/root' }, caps: [...DEFAULT_CAPABILITIES], rootfs, netnsPath: '',
    files: { hosts: join(bare, 'hosts'), resolvConf: join(bare, 'resolv.conf'), hostname: join(bare, 'hostname') },
    cgroupsPath: `/berth/${id}`, rlimits: deriveRlimits(parseProcLimits(execFileSync('cat', ['/proc/self/limits'], { encoding: 'utf8' }))),
    arch: process.arch, swapAccounting: true,
  }) as { linux: { namespaces: { type: string; path?: string }[] } };
  for (const ns of config.linux.namespaces) delete ns.path;
  writeFileSync(join(bare, 'config.json'), JSON.stringify(config));
}

const contenders: Record<string, (i: number) => Promise<void>> = {
  berth: async (i) => {
    mark(`bench-${i}`, 'begin');
    const h = await driver.start({ id: `bench-${i}`, unit: 'bench', layers: [layer], argv: ['/bin/true'], env: {}, hostname: 'bench', resources: {}, mounts: [], network: { attach: [], ports: [] } });
    await driver.wait(h);
    mark(h.id, 'exited (wait)');
    await driver.destroy(h);
  },
  [`${runtime.info.name} run${runtime.info.fix === 'none' ? '' : ' (wrapper)'}`]: async (i) => {
    const r = await runCommand(runtime.info.command, ['--root', join(root, 'bare-state'), 'run', '--bundle', bare, `bare-${i}`]);
    if (r.code !== 0) throw new Error(r.stderr);
  },
};
if ((await runCommand('sh', ['-c', 'command -v runc'])).code === 0) {
  contenders['runc run'] = async (i) => {
    const r = await runCommand('runc', ['--root', join(root, 'runc-state'), 'run', '--bundle', bare, `runc-${i}`]);
    if (r.code !== 0) throw new Error(r.stderr);
  };
}

// CLI level: the user's command against a running agent, and podman's
const cliEntry = new URL('../dist/cli/main.js', import.meta.url).pathname;
let agent: AgentProcess | undefined;
if ((await runCommand('test', ['-f', cliEntry])).code === 0) {
  agent = await startAgentProcess({ applyOnStart: false, entry: cliEntry });
  const host = agent.host;
  contenders['berth run --rm (CLI)'] = async () => {
    const r = await runCommand(process.execPath, [cliEntry, '--host', host, 'run', '--rm', '--network', 'none', 'busybox', '/bin/true']);
    if (r.code !== 0) throw new Error(`berth run: ${r.stderr}`);
  };
} else console.log(`(no ${cliEntry}: run \`npm run build\` for the CLI column)`);
if ((await runCommand('sh', ['-c', 'command -v podman'])).code === 0) {
  // podman asks for RLIMIT_NOFILE/NPROC above root's hard limits here (no CAP_SYS_RESOURCE): give it small ones (`true` needs none)
  const podman = ['--root', join(root, 'podman'), '--runroot', join(root, 'podman-run'), '--cgroup-manager', 'cgroupfs', '--runtime', runtime.info.command];
  contenders[`podman run --rm (${runtime.info.name})`] = async () => {
    const r = await runCommand('podman', [...podman, 'run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--rootfs', rootfs, '/bin/true']);
    if (r.code !== 0) throw new Error(`podman run: ${r.stderr}`);
  };
} else console.log('(podman is not installed: no podman column; scripts/setup installs it)');

const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
bareConfig('bare');
try {
  for (const [name, run] of Object.entries(contenders)) await run(-1 - name.length); // warm-up
  for (let i = 0; i < N; i++) {
    for (const [name, run] of Object.entries(contenders)) {
      const t0 = performance.now();
      await run(i);
      times[name]!.push(performance.now() - t0);
    }
  }
} finally {
  if (agent) await agent.cleanup();
  await driver.cleanupLeftovers();
  await unmountOverlay(rootfs);
  // podman bind-mounts its own storage dir: unmount whatever is left under the bench root, deepest first
  const mounts = execFileSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[4] ?? '');
  for (const m of mounts.filter((m) => m.startsWith(`${root}/`)).sort().reverse()) await runCommand('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times[Object.keys(contenders)[1]!]!);
console.log(`runtime: ${runtime.info.name} ${runtime.info.version} (${runtime.info.fix}); ${N} runs each, interleaved; load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(26)} median ${m.toFixed(1).padStart(7)} ms   ×${(m / base).toFixed(2)} of bare   (+${(m - base).toFixed(1)} ms)`);
}
const cli = times['berth run --rm (CLI)'];
const pod = Object.entries(times).find(([k]) => k.startsWith('podman'));
if (cli && pod) console.log(`CLI level: berth run --rm ${median(cli).toFixed(0)} ms vs ${pod[0]} ${median(pod[1]).toFixed(0)} ms: ×${(median(cli) / median(pod[1])).toFixed(2)}`);

const steps = new Map<string, number[]>();
for (const [id, list] of marks) {
  if (!/^bench-\d+$/.test(id)) continue; // warm-up
  for (let k = 1; k < list.length; k++) {
    const [step, at] = list[k]!;
    if (!steps.has(step)) steps.set(step, []);
    steps.get(step)!.push(at - list[k - 1]![1]);
  }
}
console.log('berth, median per step (ms since the previous mark):');
for (const [step, xs] of steps) console.log(`  ${step.padEnd(20)} ${median(xs).toFixed(1).padStart(7)}`);
