// Integration: the process driver on the real host (root, cgroups, perl shim).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError } from '../../../src/errors.js';
import type { Handle, InstanceSpec } from '../../../src/runtime/driver.js';
import { detectCgroups } from '../../../src/runtime/process/cgroup.js';
import { ProcessDriver } from '../../../src/runtime/process/driver.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';

requireRoot();
requireTool('perl');
const tag = `bt-${randomBytes(4).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), `${tag}-`));
const opts = { root, cgroupParent: tag };
const driver = new ProcessDriver(opts);
const handles: Handle[] = [];
let n = 0;

const spec = (argv: string[], over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  id: `${tag}-${++n}`, unit: `u${n}`, argv, env: {}, hostname: 'h', resources: {}, mounts: [], network: { attach: [], ports: [] }, ...over,
});
async function start(s: InstanceSpec, d = driver): Promise<Handle> {
  const h = await d.start(s);
  handles.push(h);
  return h;
}
/** Alive and not a zombie (a zombie waits for whoever reaps orphans here; it runs nothing). */
const alive = (pid: number) => {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
};
const logLines = (h: Handle) => readFileSync(h.logPath, 'utf8').trim().split('\n');

test.after(async () => {
  for (const h of handles) await driver.destroy(h).catch(() => {});
  const layout = detectCgroups();
  const bases = layout.version === 2 ? [layout.base] : layout.controllers.map((c) => join(layout.base, c));
  for (const b of bases) if (existsSync(join(b, tag))) rmdirSync(join(b, tag));
  rmSync(root, { recursive: true, force: true });
});

test('available() says what it uses', async () => {
  const a = await driver.available();
  assert.ok(a.ok, a.detail);
  assert.match(a.detail, /cgroup v[12] \(.*memory.*\), perl shim/);
});

test('output goes to a k8s-file log; exit codes and signals are told apart', async () => {
  const a = await start(spec(['/bin/sh', '-c', 'echo hello; echo oops >&2; printf partial; exit 137']));
  assert.equal(await driver.wait(a), { ...(await driver.wait(a)), code: 137, signal: null, oomKilled: false });
  const lines = logLines(a);
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F \S+$/);
  // two pipes: the order between stdout and stderr is not defined, within each it is
  assert.equal(lines.map((l) => l.split(' ').slice(1).join(' ')).sort(), ['stderr F oops', 'stdout F hello', 'stdout F partial']);
  assert.ok(lines.findIndex((l) => l.endsWith('hello')) < lines.findIndex((l) => l.endsWith('partial')));
  const b = await start(spec(['/bin/sh', '-c', 'kill -KILL $$']));
  const eb = await driver.wait(b);
  assert.is(eb.code, null);
  assert.is(eb.signal, 'SIGKILL');
  assert.is(eb.oomKilled, false);
  assert.equal(await driver.inspect(b), { ...(await driver.inspect(b)), state: 'exited' });
});

test('user and workdir are applied before exec', async () => {
  const h = await start(spec(['/bin/sh', '-c', 'id -u; id -g; pwd'], { user: 'nobody', workdir: '/tmp' }));
  assert.is((await driver.wait(h)).code, 0);
  assert.equal(logLines(h).map((l) => l.split(' ').slice(3).join(' ')), ['65534', '65534', '/tmp']);
});

test('the log is bounded: past maxLogBytes it moves to output.log.1 and a new one begins', async () => {
  const small = new ProcessDriver({ ...opts, maxLogBytes: 2000 });
  const h = await start(spec(['/bin/sh', '-c', 'for i in $(seq 100); do echo "line $i ........................................"; done'], {}), small);
  await small.wait(h);
  const cur = readFileSync(h.logPath, 'utf8');
  const old = readFileSync(`${h.logPath}.1`, 'utf8');
  assert.ok(cur.length <= 2200 && old.length <= 2200, `${cur.length} / ${old.length}`);
  assert.match(cur, / stdout F line 100 \.+\n$/);
  const last = Number(/line (\d+)/.exec(old.trim().split('\n').pop()!)![1]);
  assert.is(Number(/line (\d+)/.exec(cur)![1]), last + 1, 'no line lost between the two files');
});

test('a command that cannot run fails start() with a DriverError', async () => {
  try {
    await driver.start(spec(['/nonexistent/program']));
    assert.unreachable('start should fail');
  } catch (e) {
    assert.instance(e, DriverError);
    assert.is((e as DriverError).code, 'E_PROCESS_START');
    assert.match((e as Error).message, 'cannot run /nonexistent/program');
  }
  assert.not.ok(existsSync(join(root, `${tag}-${n}`)), 'a failed start leaves nothing behind');
});

test('limits are written to the cgroup and enforced (pids)', async () => {
  const h = await start(spec(['/bin/sh', '-c', 'for i in $(seq 30); do sleep 5 & done; wait'], { resources: { memoryBytes: 64 << 20, pids: 8, cpus: 0.5 } }));
  const cg = driver.cgroupOf(h);
  const layout = detectCgroups();
  if (layout.version === 1) {
    assert.is(readFileSync(join(layout.base, 'memory', tag, h.id, 'memory.limit_in_bytes'), 'utf8').trim(), String(64 << 20));
    assert.is(readFileSync(join(layout.base, 'pids', tag, h.id, 'pids.max'), 'utf8').trim(), '8');
    assert.is(readFileSync(join(layout.base, 'cpu', tag, h.id, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
  }
  const forkFailed = () => /fork|Resource temporarily unavailable/.test(readFileSync(h.logPath, 'utf8'));
  for (let i = 0; i < 100 && !forkFailed(); i++) {
    assert.ok(cg.pids().length <= 8, `pids limited: ${cg.pids().length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(forkFailed(), 'the shell was refused a fork');
  const st = await driver.inspect(h); // the shell may have given up after a failed fork: running or exited
  assert.is(st.usage?.memoryLimitBytes, 64 << 20);
  await driver.stop(h, 'SIGKILL', 100);
});

test('stop: SIGTERM ignored by the whole tree → SIGKILL of every process in the cgroup after the timeout', async () => {
  const h = await start(spec(['/bin/sh', '-c', "trap '' TERM; sh -c \"trap '' TERM; sleep 60\" & sleep 60 & wait; wait"]));
  await new Promise((r) => setTimeout(r, 150));
  const pids = (await driver.top(h)).map((p) => p.pid);
  assert.ok(pids.length >= 3, `tree: ${pids.length}`);
  const t = Date.now();
  const exit = await driver.stop(h, 'SIGTERM', 300);
  assert.ok(Date.now() - t >= 290, 'waited for the timeout');
  assert.is(exit.signal, 'SIGKILL');
  for (const pid of pids) assert.not.ok(alive(pid), `pid ${pid} survived`);
  assert.equal(driver.cgroupOf(h).pids(), []);
});

test('stop: a process that obeys SIGTERM exits at once; a leftover child dies with it', async () => {
  const h = await start(spec(['/bin/sh', '-c', 'setsid sleep 60 & exec sleep 60']));
  await new Promise((r) => setTimeout(r, 100));
  const pids = (await driver.top(h)).map((p) => p.pid);
  const t = Date.now();
  const exit = await driver.stop(h, 'SIGTERM', 5000);
  assert.ok(Date.now() - t < 2000);
  assert.is(exit.signal, 'SIGTERM');
  for (const pid of pids) assert.not.ok(alive(pid), `pid ${pid} survived`);
});

test('pause and unpause by the freezer', async () => {
  const h = await start(spec(['/bin/sh', '-c', 'while :; do echo tick; sleep 0.02; done']));
  await driver.pause(h);
  assert.is((await driver.inspect(h)).state, 'paused');
  const before = logLines(h).length;
  await new Promise((r) => setTimeout(r, 150));
  assert.is(logLines(h).length, before, 'no output while frozen');
  await driver.unpause(h);
  assert.is((await driver.inspect(h)).state, 'running');
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(logLines(h).length > before);
  await driver.stop(h, 'SIGTERM', 1000);
});

test('stop of a paused instance thaws it so it gets the signal; kill() signals the main process', async () => {
  const h = await start(spec(['/bin/sleep', '60']));
  await driver.pause(h);
  const exit = await driver.stop(h, 'SIGTERM', 2000);
  assert.is(exit.signal, 'SIGTERM');
  const k = await start(spec(['/bin/sh', '-c', 'trap "echo got-usr1; exit 5" USR1; while :; do sleep 0.02; done']));
  await new Promise((r) => setTimeout(r, 100));
  await driver.kill(k, 'SIGUSR1');
  assert.is((await driver.wait(k)).code, 5);
  assert.match(readFileSync(k.logPath, 'utf8'), 'got-usr1');
});

test('a killed shim: the process is still found and stopped; its exit is honestly unknown', async () => {
  const h = await start(spec(['/bin/sleep', '60'], { mounts: [{ type: 'tmpfs', target: '/x', readonly: false }] }));
  process.kill(Number(h.data.shimPid), 'SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  const fresh = new ProcessDriver(opts);
  assert.equal(await fresh.recover(h), h);
  const st = await fresh.inspect(h);
  assert.is(st.state, 'running');
  assert.match(String(st.detail?.monitor), 'gone');
  assert.equal(st.detail?.ignoredOnHost, ['volumes']);
  const exit = await fresh.stop(h, 'SIGTERM', 2000);
  assert.equal({ code: exit.code, signal: exit.signal }, { code: null, signal: null });
  assert.equal(fresh.cgroupOf(h).pids(), []);
  assert.is(await fresh.recover(h), null);
});

test('OOM kill is recorded', async () => {
  const h = await start(spec(['/bin/sh', '-c', 'echo start; a=xxxxxxxx; while :; do a=$a$a; done'], { resources: { memoryBytes: 16 << 20 } }));
  const exit = await driver.wait(h);
  assert.equal({ signal: exit.signal, oom: exit.oomKilled }, { signal: 'SIGKILL', oom: true });
});

test('exec runs on the host; inspect and top see the process', async () => {
  const h = await start(spec(['/bin/sleep', '60']));
  const r = await driver.exec(h, ['/bin/sh', '-c', 'echo $FOO; cat'], { env: { FOO: 'bar' }, input: 'in' });
  assert.equal(r, { code: 0, signal: null, stdout: 'bar\nin', stderr: '' });
  const top = await driver.top(h);
  assert.is(top.length, 1);
  assert.is(top[0]!.command, '/bin/sleep 60');
  assert.is(top[0]!.pid, h.pid);
  await driver.stop(h, 'SIGTERM', 1000);
});

test('the instance outlives its agent: a new driver recovers it, its log keeps growing, its exit is learnt', async () => {
  const id = `${tag}-agent`;
  const agent = `
    import { ProcessDriver } from ${JSON.stringify(new URL('../../../src/runtime/process/driver.ts', import.meta.url).pathname)};
    const d = new ProcessDriver(${JSON.stringify(opts)});
    const h = await d.start({ id: ${JSON.stringify(id)}, unit: 'agented', argv: ['/bin/sh', '-c', 'echo one; sleep 0.5; echo two; exit 7'],
      env: {}, hostname: 'h', resources: {}, mounts: [], network: { attach: [], ports: [] } });
    process.stdout.write(JSON.stringify(h));
    process.exit(0);`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', agent], { encoding: 'utf8' });
  assert.is(out.status, 0, out.stderr);
  const h = JSON.parse(out.stdout) as Handle;
  handles.push(h);
  const fresh = new ProcessDriver(opts);
  assert.equal(await fresh.recover(h), h);
  assert.is((await fresh.inspect(h)).state, 'running');
  const exit = await fresh.wait(h);
  assert.is(exit.code, 7);
  assert.equal(logLines(h).map((l) => l.split(' ').slice(1).join(' ')), ['stdout F one', 'stdout F two']);
  assert.equal(await new ProcessDriver(opts).recover(h), h, 'an exited instance is still found (its exit is on disk)');
  await fresh.destroy(h);
  assert.is(await fresh.recover(h), null);
  assert.not.ok(existsSync(join(root, id)));
  assert.not.ok(fresh.cgroupOf(h).exists(), 'cgroup removed');
});

test.run();
