/**
 * Builds a container's OCI `config.json` from an InstanceSpec. Pure: every
 * host fact (resolved user, capabilities, rlimits, paths, arch) comes in as
 * input, so the whole hardening policy is table-tested without a runtime.
 * Defaults follow Docker/Podman: Docker's capability set, no_new_privileges,
 * seccomp, masked and read-only /proc and /sys paths, no terminal.
 */
import type { InstanceSpec, MountSpec } from '../driver.js';
import type { ResolvedUser } from './resolve-user.js';
import type { OciRlimit } from './rlimits.js';
import { buildSeccompProfile } from './seccomp.js';

/** Host-side facts the config depends on. */
export interface OciConfigInput {
  spec: InstanceSpec;
  user: ResolvedUser;
  caps: string[];
  /** the merged overlay directory */
  rootfs: string;
  /** the netns to join (made by berth for networked containers); '' = a new one from the runtime */
  netnsPath: string;
  /** host files bind-mounted read-only at /etc/hosts, /etc/resolv.conf, /etc/hostname */
  files: { hosts: string; resolvConf: string; hostname: string };
  /** e.g. `/berth/<id>` (cgroupfs manager) */
  cgroupsPath: string;
  rlimits: OciRlimit[];
  /** Node's `process.arch` */
  arch: string;
  /** whether memory+swap can be limited (cgroup v1 memsw or v2 swap.max) */
  swapAccounting: boolean;
  /** host uid/gid range a user-namespaced container maps 0.. onto */
  usernsRange?: { hostId: number; size: number };
}

/** Paths Docker hides from containers (bind of /dev/null or an empty tmpfs). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** Paths Docker makes read-only. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The default PATH when neither the spec nor the image sets one. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** CFS period berth uses for `cpus` (the kernel's default). */
export const CPU_PERIOD_US = 100_000;

interface OciMount { destination: string; type: string; source: string; options: string[] }

function baseMounts(userns: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // sysfs cannot be mounted from a user namespace that does not own the netns: bind the host's, read-only
    userns
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    // the container's own cgroups, read-only (programs read their limits there), as Docker does
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

function specMount(m: MountSpec): OciMount {
  if (m.type === 'bind') {
    return { destination: m.target, type: 'bind', source: m.source, options: ['rbind', 'rprivate', m.readonly ? 'ro' : 'rw'] };
  }
  const options = ['nosuid', 'nodev', 'mode=1777', m.readonly ? 'ro' : 'rw'];
  if (m.sizeBytes !== undefined) options.push(`size=${m.sizeBytes}`);
  return { destination: m.target, type: 'tmpfs', source: 'tmpfs', options };
}

/** Environment: PATH and HOSTNAME and HOME unless the spec sets them, then the spec's (sorted, stable). */
export function buildEnv(spec: InstanceSpec, home: string): string[] {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: spec.hostname, HOME: home, ...spec.env };
  return Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
}

function buildResources(spec: InstanceSpec, swapAccounting: boolean): Record<string, unknown> {
  const res: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  const { memoryBytes, cpus, pids } = spec.resources;
  if (memoryBytes !== undefined) res.memory = swapAccounting ? { limit: memoryBytes, swap: memoryBytes } : { limit: memoryBytes };
  if (cpus !== undefined) res.cpu = { quota: Math.round(cpus * CPU_PERIOD_US), period: CPU_PERIOD_US };
  if (pids !== undefined) res.pids = { limit: pids };
  return res;
}

/** The complete config.json object for one container. */
export function buildOciConfig(input: OciConfigInput): Record<string, unknown> {
  const { spec, user, caps } = input;
  const userns = spec.userns === true && input.usernsRange !== undefined;
  const ro = ['rbind', 'rprivate', 'ro'];
  const mounts: OciMount[] = [
    ...baseMounts(userns),
    { destination: '/etc/hosts', type: 'bind', source: input.files.hosts, options: ro },
    { destination: '/etc/resolv.conf', type: 'bind', source: input.files.resolvConf, options: ro },
    { destination: '/etc/hostname', type: 'bind', source: input.files.hostname, options: ro },
    ...spec.mounts.map(specMount),
  ];
  const namespaces: Record<string, string>[] = [
    { type: 'pid' }, input.netnsPath ? { type: 'network', path: input.netnsPath } : { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' },
  ];
  const linux: Record<string, unknown> = {
    namespaces,
    cgroupsPath: input.cgroupsPath,
    resources: buildResources(spec, input.swapAccounting),
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
    seccomp: buildSeccompProfile(caps, input.arch),
  };
  if (userns) {
    namespaces.push({ type: 'user' });
    const map = [{ containerID: 0, hostID: input.usernsRange!.hostId, size: input.usernsRange!.size }];
    linux.uidMappings = map;
    linux.gidMappings = map;
  }
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}) },
      args: spec.argv,
      env: buildEnv(spec, user.home),
      cwd: spec.workdir ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: input.rlimits,
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: spec.readonlyRootfs === true },
    hostname: spec.hostname,
    mounts,
    linux,
    annotations: { 'berth.unit': spec.unit, 'berth.id': spec.id, ...(spec.labels ?? {}) },
  };
}
