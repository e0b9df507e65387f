/** Table tests of the pure config.json builder and its parts (no runtime needed). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { DEFAULT_CAPABILITIES, resolveCapabilities } from '../../../src/runtime/container/capabilities.js';
import { buildOciConfig, MASKED_PATHS, READONLY_PATHS, type OciConfigInput } from '../../../src/runtime/container/oci-config.js';
import { deriveRlimits, parseProcLimits } from '../../../src/runtime/container/rlimits.js';
import { buildSeccompProfile } from '../../../src/runtime/container/seccomp.js';

const spec: InstanceSpec = {
  id: 'web-1', unit: 'web', layers: ['/l1'], argv: ['httpd', '-f'], env: { MODE: 'prod' }, hostname: 'web',
  resources: {}, mounts: [], network: { attach: [], ports: [] },
};
const input = (over: Partial<InstanceSpec> = {}, extra: Partial<OciConfigInput> = {}): OciConfigInput => ({
  spec: { ...spec, ...over },
  user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  caps: [...DEFAULT_CAPABILITIES],
  rootfs: '/r/rootfs', netnsPath: '/run/netns/berth-web-1',
  files: { hosts: '/r/hosts', resolvConf: '/r/resolv.conf', hostname: '/r/hostname' },
  cgroupsPath: '/berth/web-1', rlimits: [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }],
  arch: 'x64', swapAccounting: true, usernsRange: { hostId: 100000, size: 65536 },
  ...extra,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- config.json is an untyped document
const build = (over: Partial<InstanceSpec> = {}, extra: Partial<OciConfigInput> = {}) => buildOciConfig(input(over, extra)) as any;

const test = suite('oci config');

test('process: argv, env with PATH/HOSTNAME/HOME, cwd, no terminal, no_new_privs, rlimits', () => {
  const c = build({ workdir: '/srv' });
  assert.equal(c.process.args, ['httpd', '-f']);
  assert.equal(c.process.terminal, false);
  assert.equal(c.process.cwd, '/srv');
  assert.equal(c.process.noNewPrivileges, true);
  assert.ok(c.process.env.includes('MODE=prod'));
  assert.ok(c.process.env.includes('HOSTNAME=web'));
  assert.ok(c.process.env.includes('HOME=/root'));
  assert.ok(c.process.env.some((e: string) => e.startsWith('PATH=/usr/local/sbin')));
  assert.equal(c.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
  assert.equal(build({ env: { PATH: '/x' } }).process.env.filter((e: string) => e.startsWith('PATH=')), ['PATH=/x']);
});

test('namespaces: pid, net by path, ipc, uts, mount, cgroup; user only with userns', () => {
  const types = (c: { linux: { namespaces: { type: string }[] } }) => c.linux.namespaces.map((n) => n.type).sort();
  assert.equal(types(build()), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  assert.equal(build().linux.namespaces.find((n: { type: string }) => n.type === 'network').path, '/run/netns/berth-web-1');
  const u = build({ userns: true });
  assert.ok(types(u).includes('user'));
  assert.equal(u.linux.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.equal(u.mounts.find((m: { destination: string }) => m.destination === '/sys').type, 'bind');
  assert.equal(build().linux.uidMappings, undefined);
});

test('mounts: the standard set, /etc files read-only, then volumes, binds and tmpfs', () => {
  const c = build({ mounts: [
    { type: 'bind', source: '/srv/data', target: '/data', readonly: true },
    { type: 'tmpfs', target: '/cache', sizeBytes: 1048576, readonly: false },
  ] });
  const dests = c.mounts.map((m: { destination: string }) => m.destination);
  assert.equal(dests, ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/data', '/cache']);
  const byDest = (d: string) => c.mounts.find((m: { destination: string }) => m.destination === d);
  assert.ok(byDest('/sys').options.includes('ro'));
  assert.ok(byDest('/sys/fs/cgroup').options.includes('ro'));
  assert.equal(byDest('/etc/hosts').source, '/r/hosts');
  assert.ok(byDest('/etc/hosts').options.includes('ro'));
  assert.equal(byDest('/data'), { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rprivate', 'ro'] });
  assert.ok(byDest('/cache').options.includes('size=1048576'));
});

test('hardening: masked and read-only paths, capabilities, seccomp, readonly root', () => {
  const c = build();
  assert.equal(c.linux.maskedPaths, MASKED_PATHS);
  assert.equal(c.linux.readonlyPaths, READONLY_PATHS);
  assert.ok(c.linux.maskedPaths.includes('/proc/kcore'));
  assert.equal(c.process.capabilities.bounding, [...DEFAULT_CAPABILITIES]);
  assert.equal(c.process.capabilities.ambient, []);
  assert.equal(c.linux.seccomp.defaultAction, 'SCMP_ACT_ALLOW');
  assert.equal(c.root, { path: '/r/rootfs', readonly: false });
  assert.equal(build({ readonlyRootfs: true }).root.readonly, true);
});

test('resources: memory with swap = limit, cpu quota/period, pids, cgroupsPath', () => {
  const c = build({ resources: { memoryBytes: 64 * 1048576, cpus: 0.5, pids: 128 } });
  assert.equal(c.linux.resources.memory, { limit: 67108864, swap: 67108864 });
  assert.equal(c.linux.resources.cpu, { quota: 50000, period: 100000 });
  assert.equal(c.linux.resources.pids, { limit: 128 });
  assert.equal(c.linux.cgroupsPath, '/berth/web-1');
  assert.equal(build({ resources: { memoryBytes: 8 << 20 } }, { swapAccounting: false }).linux.resources.memory, { limit: 8 << 20 });
  assert.equal(build().linux.resources.memory, undefined);
});

test('user: uid, gid and additional gids', () => {
  const c = build({}, { user: { uid: 33, gid: 33, additionalGids: [4], home: '/var/www' } });
  assert.equal(c.process.user, { uid: 33, gid: 33, additionalGids: [4] });
  assert.ok(c.process.env.includes('HOME=/var/www'));
});

const capCases: [string[], string[], (caps: string[]) => boolean, string][] = [
  [[], [], (c) => c.length === 14 && c.includes('CAP_NET_RAW'), 'defaults'],
  [['NET_ADMIN'], [], (c) => c.includes('CAP_NET_ADMIN') && c.length === 15, 'add one'],
  [[], ['net_raw'], (c) => !c.includes('CAP_NET_RAW') && c.length === 13, 'drop one (any case)'],
  [['NET_ADMIN'], ['ALL'], (c) => c.length === 1 && c[0] === 'CAP_NET_ADMIN', 'drop ALL then add'],
  [['ALL'], ['CAP_SYS_ADMIN'], (c) => !c.includes('CAP_SYS_ADMIN') && !c.includes('CAP_SYS_RESOURCE') && c.length === 39, 'add ALL minus one; never SYS_RESOURCE'],
];
for (const [add, drop, ok, name] of capCases) {
  test(`capabilities: ${name}`, () => {
    const r = resolveCapabilities(add, drop);
    assert.ok(r.ok && ok(r.caps), JSON.stringify(r));
  });
}

test('capabilities: unknown and refused names are errors', () => {
  assert.equal(resolveCapabilities(['SYS_RESOURCE', 'WINGS']), { ok: false, unknown: ['CAP_WINGS'], refused: ['CAP_SYS_RESOURCE'] });
});

test('rlimits: capped at the host hard limit, soft = hard', () => {
  const host = parseProcLimits('Limit Soft Limit Hard Limit Units\nMax processes             96364                96364                processes\nMax open files            1024                 20000                files\n');
  assert.equal(host.RLIMIT_NOFILE, { soft: 1024, hard: 20000 });
  assert.equal(deriveRlimits(host), [
    { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
    { type: 'RLIMIT_NPROC', hard: 96364, soft: 96364 },
  ]);
  const unlimited = parseProcLimits('Max open files            unlimited            unlimited            files\n');
  assert.equal(deriveRlimits(unlimited)[0], { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 });
});

test('seccomp: deny-list with EPERM; a granted capability re-allows its family', () => {
  const p = buildSeccompProfile(DEFAULT_CAPABILITIES, 'x64') as { architectures: string[]; syscalls: { names: string[]; errnoRet: number }[] };
  const denied = p.syscalls[0]!.names;
  for (const s of ['mount', 'kexec_load', 'init_module', 'bpf', 'ptrace', 'unshare', 'setns', 'keyctl', 'reboot']) assert.ok(denied.includes(s), s);
  assert.not.ok(denied.includes('read'));
  assert.equal(p.syscalls[0]!.errnoRet, 1);
  assert.ok(p.architectures.includes('SCMP_ARCH_X86_64'));
  const admin = buildSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'x64') as typeof p;
  assert.not.ok(admin.syscalls[0]!.names.includes('mount'));
  assert.ok(admin.syscalls[0]!.names.includes('keyctl'), 'always denied');
});

test.run();
