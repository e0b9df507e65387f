/**
 * A real systemd *system* manager as the init of a runc container
 * (PLATFORM.md, set-up 2), for what the user manager cannot show:
 * MemoryMax/TasksMax enforced, unit files enabled in /etc/systemd/system.
 *
 * The Debian rootfs (debootstrap minbase + systemd + dbus, ~40 s the first
 * time) is cached under /tmp/berth-test-cache and used read-only as the
 * lower layer of an overlay, so each run starts clean. The container gets
 * every capability but CAP_SYS_RESOURCE, /sys/fs/cgroup rw, its own cgroup
 * namespace (else limits are not applied), tmpfs on /run, /run/lock, /tmp,
 * and a host folder on /run/dbus to reach its system bus. `shared` is a host
 * folder mounted at the same path inside, for files both sides must see
 * (the systemd driver's logs). stop() sends SIGRTMIN+3 (systemd's halt),
 * deletes the container and unmounts everything, even on failure.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SystemdManager } from '../../src/systemd/systemd-manager.js';
import { requireRoot, requireTool } from './require-tool.js';

const run = promisify(execFile);
const CACHE = process.env.BERTH_TEST_CACHE ?? '/tmp/berth-test-cache';
const ROOTFS = join(CACHE, 'systemd-bookworm-v1');

/** A running containerised system manager. */
export interface SystemManager {
  address: string;
  /** the container's root as the host sees it (overlay) */
  rootfs: string;
  /** host folder visible at the same path inside the container */
  shared: string;
  id: string;
  stop(): Promise<void>;
}

/** The mirror apt uses here (debootstrap needs one). */
function mirror(): string {
  try {
    const m = /^URIs:\s*(\S+)/m.exec(readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8'));
    if (m) return m[1]!;
  } catch { /* older layout */ }
  return 'http://deb.debian.org/debian';
}

/** Builds (once, under a lock) the cached Debian rootfs with systemd and dbus. */
export function ensureSystemdRootfs(): string {
  if (existsSync(join(ROOTFS, '.done'))) return ROOTFS;
  requireTool('debootstrap', 'apt-get install debootstrap (scripts/setup does)');
  requireTool('flock');
  mkdirSync(CACHE, { recursive: true });
  const script = `test -e ${ROOTFS}/.done && exit 0; rm -rf ${ROOTFS}.tmp && debootstrap --variant=minbase --include=systemd,dbus,systemd-sysv bookworm ${ROOTFS}.tmp ${mirror()} >${ROOTFS}.log 2>&1 && touch ${ROOTFS}.tmp/.done && mv ${ROOTFS}.tmp ${ROOTFS}`;
  try {
    execFileSync('flock', [join(CACHE, '.systemd-rootfs.lock'), 'sh', '-c', script], { stdio: 'ignore', timeout: 600_000 });
  } catch {
    const log = existsSync(`${ROOTFS}.log`) ? readFileSync(`${ROOTFS}.log`, 'utf8').split('\n').slice(-8).join('\n') : '';
    throw new Error(`cannot build the systemd test rootfs with debootstrap (a Debian mirror must be reachable)\n${log}\nhint: run it by hand: debootstrap --variant=minbase --include=systemd,dbus,systemd-sysv bookworm ${ROOTFS} ${mirror()} && touch ${ROOTFS}/.done`);
  }
  return ROOTFS;
}

const ALL_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN',
  'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ']; // all but CAP_SYS_RESOURCE, which root lacks here

/** Starts systemd as a container's init and waits until it answers on its system bus. */
export async function startSystemManager(timeoutMs = 30_000): Promise<SystemManager> {
  requireRoot();
  const runc = requireTool('runc', 'apt-get install runc (scripts/setup does)');
  const lower = ensureSystemdRootfs();
  const dir = mkdtempSync('/tmp/bt-sdc-');
  const id = dir.split('/').pop()!;
  const [upper, work, merged, dbusDir, shared] = ['upper', 'work', 'rootfs', 'dbus', 'shared'].map((n) => join(dir, n)) as [string, string, string, string, string];
  for (const d of [upper, work, merged, dbusDir, shared]) mkdirSync(d);
  let mounted = false;
  let created = false;
  const stop = async () => {
    if (created) {
      await run(runc, ['kill', id, '37']).catch(() => undefined); // SIGRTMIN+3: systemd halts
      for (let i = 0; i < 100; i++) {
        const st = await run(runc, ['state', id]).then((r) => JSON.parse(r.stdout).status as string, () => 'gone');
        if (st === 'stopped' || st === 'gone') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await run(runc, ['delete', '--force', id]).catch(() => undefined);
    }
    if (mounted) await run('umount', [merged]).catch(() => run('umount', ['-l', merged]));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
    mounted = true;
    mkdirSync(join(merged, shared.slice(1)), { recursive: true });
    const config = {
      ociVersion: '1.0.2',
      process: {
        terminal: false, user: { uid: 0, gid: 0 }, args: ['/lib/systemd/systemd'], cwd: '/',
        env: ['container=runc', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        capabilities: Object.fromEntries(['bounding', 'effective', 'permitted', 'inheritable', 'ambient'].map((k) => [k, ALL_CAPS])),
        noNewPrivileges: false,
      },
      root: { path: merged, readonly: false },
      hostname: id,
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
        { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
        { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
        { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'rw'] },
        { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755'] },
        { destination: '/run/lock', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec'] },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
        { destination: '/run/dbus', type: 'bind', source: dbusDir, options: ['rbind', 'rw'] },
        { destination: shared, type: 'bind', source: shared, options: ['rbind', 'rw'] },
      ],
      linux: {
        cgroupsPath: `/${id}`,
        namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type })),
        resources: { devices: [{ allow: true, access: 'rwm' }] },
      },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    const log = openSync(join(dir, 'console.log'), 'a');
    const child = spawn(runc, ['run', '--detach', '--bundle', dir, id], { stdio: ['ignore', log, log] });
    closeSync(log);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`runc run failed (${code}):\n${readFileSync(join(dir, 'console.log'), 'utf8')}`);
    created = true;
    const address = `unix:path=${join(dbusDir, 'system_bus_socket')}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (existsSync(join(dbusDir, 'system_bus_socket'))) {
        const m = await SystemdManager.connect(address).catch(() => null);
        const ok = m ? await m.version().then(() => true, () => false) : false;
        m?.close();
        if (ok) break;
      }
      if (Date.now() > deadline) throw new Error(`systemd in the container did not answer on ${address} in ${timeoutMs} ms:\n${readFileSync(join(dir, 'console.log'), 'utf8').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { address, rootfs: merged, shared, id, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
