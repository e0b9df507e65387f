/**
 * A real `berth agent` process for integration tests and benchmarks: a temp
 * state root, a temp unix socket and a temp unit folder, the agent started
 * from the sources (`node --import tsx src/cli/main.ts agent …`), an
 * ApiClient talking to it, and a cleanup that stops every unit (`down`),
 * ends the agent and removes whatever is left (processes, containers,
 * netns, cgroups, the temp folders) even when the test failed half-way.
 *
 *   await withAgent({ units: { 'web.yaml': '…' } }, async (a) => { … a.client.get('/v1/units') … });
 *
 * or, when a test needs the agent across several steps of its own,
 *   const a = await startAgentProcess({ … });
 *   try { … } finally { await a.cleanup(); }
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import type { UnitView } from '../../src/supervisor/agent.js';
import type { BerthEvent } from '../../src/supervisor/events.js';

const REPO = new URL('../..', import.meta.url).pathname;
const MAIN = join(REPO, 'src/cli/main.ts');

/** Options of a test agent. */
export interface AgentProcessOptions {
  /** unit files to write into the unit folder: relative path → content */
  units?: Record<string, string>;
  /** extra `berth agent` flags, e.g. ['--stop-on-exit'] */
  args?: string[];
  /** apply the folder when the agent starts (default true; false: no --units) */
  applyOnStart?: boolean;
  /** wait until the first apply finished (default true when applying) */
  waitApply?: boolean;
  /** ms to wait for the agent to answer (default 30 s) */
  startTimeoutMs?: number;
  /**
   * a compiled CLI (e.g. dist/cli/main.js) to run the agent from instead of
   * the sources under tsx (default: $BERTH_CLI_ENTRY, else the sources);
   * benchmarks use it so the loader's memory is not counted
   */
  entry?: string;
}

/** The result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running test agent and the tools to drive and inspect it. */
export interface AgentProcess {
  /** state root (--root) */
  root: string;
  socket: string;
  /** the unit folder */
  unitsDir: string;
  /** `unix://…`, for --host */
  host: string;
  client: ApiClient;
  /** pid of the current agent process (0 when none runs) */
  readonly pid: number;
  /** everything the agent processes wrote to stdout/stderr so far */
  output(): string;
  /** writes (or, with null, removes) a file in the unit folder */
  writeUnit(path: string, content: string | null): void;
  /** starts the agent (again); resolves when it answers (and, unless told otherwise, its first apply is done) */
  start(opts?: { waitApply?: boolean; args?: string[] }): Promise<void>;
  /** sends a signal to the agent and waits until the process is gone */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** runs the berth CLI against this agent: `berth -H unix://… --root … ARGS` */
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** every event of the ledger after `since` */
  events(since?: number): Promise<BerthEvent[]>;
  /** polls the ledger until an event matches; returns it */
  waitEvent(match: (e: BerthEvent) => boolean, timeoutMs?: number, since?: number): Promise<BerthEvent>;
  /** polls /v1/units until `ok` holds for the named unit; returns its view */
  waitUnit(name: string, ok: (u: UnitView) => boolean, timeoutMs?: number): Promise<UnitView>;
  unit(name: string): Promise<UnitView | undefined>;
  /**
   * Stops every unit (`down`), ends the agent, then removes every leftover
   * and the temp folders. Returns what was still there after `down` (live
   * processes, mounts, netns): a clean run returns [].
   */
  cleanup(): Promise<string[]>;
}

/** A unique, valid unit name: `bt-` + random hex (+ a suffix). */
export function uniqueName(suffix = ''): string {
  return `bt-${randomBytes(3).toString('hex')}${suffix ? `-${suffix}` : ''}`;
}

/** Sleeps `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs` with `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

/** Runs the berth CLI from the sources. */
export function runBerth(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a real agent on fresh temp folders. Call `cleanup()` in a finally. */
export async function startAgentProcess(opts: AgentProcessOptions = {}): Promise<AgentProcess> {
  const base = mkdtempSync(join(tmpdir(), 'bt-agent-'));
  const root = join(base, 'root');
  const unitsDir = join(base, 'units');
  const socket = join(base, 'b.sock');
  mkdirSync(unitsDir, { recursive: true });
  const host = `unix://${socket}`;
  const client = new ApiClient({ host, timeoutMs: 120_000 });
  let child: ChildProcess | undefined;
  let out = '';
  const applyOnStart = opts.applyOnStart !== false;

  const writeUnit = (path: string, content: string | null) => {
    const full = join(unitsDir, path);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  };
  for (const [path, content] of Object.entries(opts.units ?? {})) writeUnit(path, content);

  const events = (since = 0) => client.get<BerthEvent[]>(`/v1/events?since=${since}`);

  const start = async (o: { waitApply?: boolean; args?: string[] } = {}) => {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error('the test agent is already running');
    if (existsSync(socket)) rmSync(socket, { force: true });
    const entry = opts.entry ?? process.env.BERTH_CLI_ENTRY;
    const args = [...(entry ? [entry] : ['--import', 'tsx', MAIN]), '--root', root, 'agent', '--socket', socket, ...(applyOnStart ? ['--units', unitsDir, '--no-watch'] : []), ...(opts.args ?? []), ...(o.args ?? [])];
    const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child = proc;
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await until(`the agent to answer on ${socket}\n--- agent output ---\n${out.slice(-3000)}`, async () => {
      if (proc.exitCode !== null) throw new Error(`the agent exited with ${proc.exitCode}:\n${out.slice(-3000)}`);
      const r = await client.get<{ ok: boolean }>('/v1/health');
      return r.ok ? true : undefined;
    }, opts.startTimeoutMs ?? 30_000, 50).catch((err: Error) => {
      if (/exited with/.test(String(err))) throw err;
      throw new Error(`${err.message}\n--- agent output ---\n${out.slice(-3000)}`);
    });
    // the socket answers while the agent recovers; its own agent.started (this pid) says recovery is done
    const started = await waitEvent((e) => e.type === 'agent.started' && e.pid === proc.pid, opts.startTimeoutMs ?? 30_000);
    if (applyOnStart && (o.waitApply ?? opts.waitApply ?? true)) {
      await waitEvent((e) => e.type === 'apply.finished' || e.type === 'apply.failed', 120_000, started.seq);
    }
  };

  const waitEvent = async (match: (e: BerthEvent) => boolean, timeoutMs = 30_000, since = 0): Promise<BerthEvent> =>
    until('an event', async () => (await events(since)).find(match), timeoutMs, 100).catch((err: Error) => {
      throw new Error(`${err.message}: none matched ${match.toString()}`);
    });

  const unit = async (name: string) => (await client.get<UnitView[]>('/v1/units')).find((u) => u.name === name);

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    // the timer must not outlive the race: a pending 30 s timer kept every test file's process alive after its last test
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise<void>((r) => { timer = setTimeout(r, 30_000); })]);
    clearTimeout(timer);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await gone;
    }
  };

  const agentRunning = () => !!child && child.exitCode === null && child.signalCode === null;

  const cleanup = async (): Promise<string[]> => {
    let left: string[] = [];
    try {
      if (!agentRunning() && existsSync(root)) await start({ waitApply: false }).catch(() => undefined);
      if (agentRunning()) await client.post('/v1/down', {}).catch(() => undefined);
      await kill('SIGTERM').catch(() => undefined);
      left = findLeftovers(root);
    } finally {
      await kill('SIGKILL').catch(() => undefined);
      await removeLeftovers(root);
      rmSync(base, { recursive: true, force: true });
    }
    return left;
  };

  const agent: AgentProcess = {
    root, socket, unitsDir, host, client,
    get pid() {
      return agentRunning() ? child!.pid! : 0;
    },
    output: () => out,
    writeUnit,
    start,
    kill,
    cli: (args, timeoutMs) => runBerth(['-H', host, '--root', root, ...args], timeoutMs),
    events,
    waitEvent,
    waitUnit: (name, ok, timeoutMs = 30_000) =>
      until(`unit ${name} to reach the expected state`, async () => {
        const u = await unit(name);
        return u && ok(u) ? u : undefined;
      }, timeoutMs, 100),
    unit,
    cleanup,
  };
  try {
    await start();
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
  return agent;
}

/**
 * Runs `fn` against a fresh test agent and always cleans up after it. When
 * `fn` fails, the agent's last output goes to stderr and its error is
 * rethrown; when it passes, anything `down` left behind (processes, mounts,
 * netns, cgroups) fails the test.
 */
export async function withAgent<T>(opts: AgentProcessOptions, fn: (agent: AgentProcess) => Promise<T>): Promise<T> {
  const agent = await startAgentProcess(opts);
  let result: T;
  try {
    result = await fn(agent);
  } catch (err) {
    process.stderr.write(`--- agent output ---\n${agent.output().slice(-4000)}\n`);
    await agent.cleanup().catch(() => undefined);
    throw err;
  }
  const left = await agent.cleanup();
  if (left.length) throw new Error(`down left these behind:\n  ${left.join('\n  ')}`);
  return result;
}

const CGROUP_BASE = '/sys/fs/cgroup';

/** Every cgroup directory `berth/<id>` of an instance, in every hierarchy. */
function instanceCgroups(id: string): string[] {
  const out: string[] = [];
  for (const c of readdirSync(CGROUP_BASE)) {
    const dir = join(CGROUP_BASE, c, 'berth', id);
    if (existsSync(join(dir, 'cgroup.procs'))) out.push(dir);
  }
  if (existsSync(join(CGROUP_BASE, 'berth', id, 'cgroup.procs'))) out.push(join(CGROUP_BASE, 'berth', id));
  return out;
}

function pidsOf(cgroupDir: string): number[] {
  try {
    return readFileSync(join(cgroupDir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** Processes whose command line mentions `needle` (conmon, shims and agents of a test root do). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (Number(p) !== process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) out.push(Number(p));
    } catch {
      // raced with its exit
    }
  }
  return out;
}

/** What instances under `root` left behind: live processes, mounts, netns, cgroups with members. */
export function findLeftovers(root: string): string[] {
  const left: string[] = [];
  for (const pid of processesMentioning(`${root}/`)) left.push(`process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`);
  for (const m of readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')) if (m.startsWith(`${root}/`)) left.push(`mount ${m}`);
  const ids = [
    ...(existsSync(join(root, 'containers')) ? readdirSync(join(root, 'containers')) : []),
    ...(existsSync(join(root, 'process')) ? readdirSync(join(root, 'process')).filter((n) => !n.endsWith('.pl')) : []),
  ];
  for (const id of ids) {
    if (existsSync(`/run/netns/berth-${id}`)) left.push(`netns berth-${id}`);
    for (const dir of instanceCgroups(id)) if (pidsOf(dir).length) left.push(`cgroup ${dir} with processes ${pidsOf(dir).join(' ')}`);
  }
  // a micro-VM on a berth network has its own namespace (src/runtime/vm/vm-network.ts)
  const vms = join(root, 'vm', 'instances');
  for (const id of existsSync(vms) ? readdirSync(vms) : []) if (existsSync(`/run/netns/berth-vm-${id}`)) left.push(`netns berth-vm-${id}`);
  return left;
}

/**
 * Removes everything instances under `root` may have left: kills their
 * processes (cgroup members, conmon, shims), then lets the container
 * driver tear down mounts, netns and cgroups, and removes process cgroups.
 */
export async function removeLeftovers(root: string): Promise<void> {
  const containerIds = existsSync(join(root, 'containers')) ? readdirSync(join(root, 'containers')) : [];
  const processIds = existsSync(join(root, 'process')) ? readdirSync(join(root, 'process')).filter((n) => !n.endsWith('.pl')) : [];
  for (const id of [...containerIds, ...processIds]) {
    const pids = instanceCgroups(id).flatMap(pidsOf);
    pids.push(readPid(join(root, 'containers', id, 'conmon.pid')), readPid(join(root, 'containers', id, 'pid')));
    try {
      const h = JSON.parse(readFileSync(join(root, 'process', id, 'handle.json'), 'utf8')) as { data?: { shimPid?: number } };
      if (h.data?.shimPid) pids.push(h.data.shimPid);
    } catch {
      // no handle file: the cgroup has the processes
    }
    for (const pid of pids) if (pid > 1) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (containerIds.length) {
    await sleep(200);
    const { cleanupLeftovers } = await import('../../src/runtime/container/driver.js');
    const { CniNetworker } = await import('../../src/runtime/network/cni-networker.js');
    await cleanupLeftovers(root, { networker: new CniNetworker({ root }) }).catch(() => undefined);
  }
  for (const id of [...containerIds, ...processIds]) {
    for (const dir of instanceCgroups(id)) {
      await until(`cgroup ${dir} to empty`, () => (pidsOf(dir).length === 0 ? true : undefined), 5000, 50).catch(() => undefined);
      try { rmdirSync(dir); } catch { /* busy or gone */ }
    }
  }
  // networks (bridges, isolation rules) the agent made for this root go with it. A member that is
  // not a container (a VM's namespace) would keep its network "in use": end its processes, drop its
  // namespace, let the networker forget it, then remove the networks
  if (existsSync(join(root, 'network'))) {
    for (const pid of processesMentioning(`${root}/`)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    const { CniNetworker } = await import('../../src/runtime/network/cni-networker.js');
    const { NetworkState } = await import('../../src/runtime/network/network-state.js');
    for (const member of new NetworkState(root).listInstances()) {
      if (member.netnsPath.startsWith('/run/netns/') && existsSync(member.netnsPath)) {
        await new Promise<void>((r) => execFile('ip', ['netns', 'del', member.netnsPath.slice('/run/netns/'.length)], () => r()));
      }
    }
    const net = new CniNetworker({ root });
    await net.cleanupLeftovers().catch(() => undefined);
    for (const n of net.listNetworks()) await net.removeNetwork(n.name).catch(() => undefined);
  }
  // a mount left under root (overlay rootfs) would make rm fail: unmount, deepest first
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${root}/`)).sort().reverse();
  for (const m of mounts) await new Promise<void>((r) => execFile('umount', ['-l', m], () => r()));
  // last resort: any process still running from inside the root
  for (const pid of processesMentioning(`${root}/`)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}
