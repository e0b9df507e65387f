/**
 * A real systemd user manager on its own bus, for D-Bus tests (PLATFORM.md,
 * set-up 1): inside a private mount namespace (`unshare -m`) with a tmpfs on
 * /run/systemd and its own XDG_RUNTIME_DIR, `systemd --user` socket-activates
 * its own dbus-daemon at `$XDG_RUNTIME_DIR/bus` and owns
 * org.freedesktop.systemd1 there (~80 ms). It accepts MemoryMax/TasksMax but
 * does not enforce them here. stop() ends it (SIGTERM: it stops its units
 * and its bus) and the mount namespace goes with its last process.
 *
 *   const m = await startUserManager();
 *   try { … SystemdManager.connect(m.address) … } finally { await m.stop(); }
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot, requireTool } from './require-tool.js';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';

/** A running user manager. */
export interface UserManager {
  /** D-Bus address of its bus */
  address: string;
  runtimeDir: string;
  pid: number;
  /** Ends the manager and its bus, removes the runtime dir; reports leftovers by throwing. */
  stop(): Promise<void>;
}

const SYSTEMD = '/lib/systemd/systemd';

/** Starts `systemd --user` on its own bus and waits until it answers. */
export async function startUserManager(timeoutMs = 10_000): Promise<UserManager> {
  requireRoot();
  requireTool('unshare');
  if (!existsSync(SYSTEMD)) throw new Error(`this test needs ${SYSTEMD}\nhint: apt-get install systemd dbus-user-session (scripts/setup does)`);
  if (!existsSync('/usr/lib/systemd/user/dbus.socket')) throw new Error('this test needs the dbus user socket\nhint: apt-get install dbus-user-session (scripts/setup does)');
  const runtimeDir = mkdtempSync('/tmp/bt-sdu-');
  const logPath = `${runtimeDir}.log`;
  const out = openSync(logPath, 'a');
  // its own cgroup in every hierarchy systemd uses: two managers started from one cgroup would manage (and clean up) the same subtree
  const cgroups = cgroupHierarchies().map((h) => join(h, runtimeDir.split('/').pop()!));
  for (const c of cgroups) mkdirSync(c);
  const join_ = cgroups.map((c) => `echo $$ > ${c}/cgroup.procs && `).join('');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    `${join_}mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system && exec ${SYSTEMD} --user`], {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', XDG_RUNTIME_DIR: runtimeDir, HOME: runtimeDir },
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  const pid = child.pid!;
  child.unref();
  const address = `unix:path=${join(runtimeDir, 'bus')}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    if (!ended) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } await exited; }
    const left = leftovers(runtimeDir);
    for (const c of cgroups) removeCgroupTree(c);
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(logPath, { force: true });
    if (!ended) throw new Error('systemd --user did not end on SIGTERM within 5 s (killed)');
    if (left.length) throw new Error(`processes left behind by the user manager: ${left.join(', ')}`);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = readFileSync(logPath, 'utf8');
      rmSync(runtimeDir, { recursive: true, force: true });
      for (const c of cgroups) removeCgroupTree(c);
      throw new Error(`systemd --user exited at once:\n${log}`);
    }
    if (existsSync(join(runtimeDir, 'bus'))) {
      const m = await SystemdManager.connect(address).catch(() => null);
      const ok = m ? await m.listUnits().then(() => true, () => false) : false;
      m?.close();
      if (ok) break;
    }
    if (Date.now() > deadline) { await stop().catch(() => undefined); throw new Error(`systemd --user did not answer on ${address} in ${timeoutMs} ms`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { address, runtimeDir, pid, stop };
}

/** Processes whose environment or command line mentions the runtime dir (dbus-daemon, units). */
function leftovers(runtimeDir: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`, 'utf8');
      if (env.includes(`XDG_RUNTIME_DIR=${runtimeDir}\0`)) out.push(`${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch { /* gone or a kernel thread */ }
  }
  return out;
}

/** The cgroup hierarchies systemd uses here: the unified root on a v2 host; the named systemd one and cgroup2 on a hybrid one. */
function cgroupHierarchies(): string[] {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return ['/sys/fs/cgroup'];
  return ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter((h) => existsSync(join(h, 'cgroup.procs')));
}

/** Removes a cgroup and whatever systemd left below it, deepest first (they are empty once the manager ended). */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    const sub = join(dir, e);
    try { if (statSync(sub).isDirectory()) removeCgroupTree(sub); } catch { /* gone */ }
  }
  for (let i = 0; i < 50; i++) {
    try { rmdirSync(dir); return; } catch { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); }
  }
}
