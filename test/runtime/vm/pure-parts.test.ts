/**
 * The VM driver's pure parts: /init text, QEMU command line, the
 * accelerator decision, exit results, guest NIC addresses.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { accelWithoutProbe, judgeKvmProbe } from '../../../src/runtime/vm/accel.js';
import { seedDocuments } from '../../../src/runtime/vm/cloud-init.js';
import { initScript, shQuote } from '../../../src/runtime/vm/init-script.js';
import { hostfwds, qemuArgs, tscKhzFromCpuinfo } from '../../../src/runtime/vm/qemu-args.js';
import { toExitResult } from '../../../src/runtime/vm/state.js';
import { execResultOf, execScript } from '../../../src/runtime/vm/vm-exec.js';
import { nicCmdline } from '../../../src/runtime/vm/vm-network.js';

const base = { argv: ['sh', '-c', "echo 'hi'"], env: { A: "it's", 'bad-key': 'x' }, hostname: 'web', shares: [], tmpfs: [], modules: ['virtio', 'virtio_mmio', '9p'] };

test('init: quotes argv and env, skips invalid env names, runs as the user, reports the exit code', () => {
  const s = initScript({ ...base, user: 'nobody', workdir: '/srv' });
  assert.ok(s.includes(`export A='it'\\''s'`));
  assert.not.ok(s.includes('bad-key'));
  assert.ok(s.includes(`$B setsid $B start-stop-daemon -S -p /.berth/none -c 'nobody' -a 'sh' -- '-c' 'echo '\\''hi'\\'''`));
  assert.ok(s.includes(`cd '/srv'`));
  assert.ok(s.includes('echo "BERTH-EXIT $code"'));
  assert.ok(s.indexOf('BERTH-READY') < s.indexOf('setsid'), 'ready is said before the command runs');
});

test('init: loads only present modules in order, 9p only with shares; root needs no user switch', () => {
  const plain = initScript({ ...base, user: 'root' });
  assert.match(plain, /for m in virtio virtio_mmio; do/);
  assert.not.ok(plain.includes('start-stop-daemon'));
  const shared = initScript({ ...base, shares: [{ tag: 'm0', target: '/run/berth/config', readonly: true }] });
  assert.match(shared, /for m in virtio virtio_mmio 9p; do/);
  assert.ok(shared.includes("version=9p2000.L,msize=262144,ro m0 '/run/berth/config'"));
  assert.match(initScript({ ...base, modules: ['virtio', 'virtio_blk'], volumes: 1 }), /for m in virtio virtio_blk; do/);
});

test('init: no command is an exit 127 with a reason', () => {
  assert.match(initScript({ ...base, argv: [] }), /die 127 'no command/);
});

test('shQuote', () => {
  assert.is(shQuote("a'b"), `'a'\\''b'`);
});

test('qemu args: microvm, tcg, tsc, ports, shares, volumes', () => {
  const a = qemuArgs({
    qemu: 'q', accel: 'tcg', cpus: 2, memoryBytes: 300 << 20, qmpSocket: '/s/q.sock', tscKhz: 2600000,
    ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    microvm: { kernel: '/k', initrd: '/i' }, volumes: ['/v.qcow2'], shares: [{ tag: 'm0', source: '/src', readonly: true }],
  });
  const s = a.join(' ');
  assert.is(a[0], 'q');
  assert.ok(s.includes('-M microvm -accel tcg -smp 2 -m 300M'));
  assert.not.ok(s.includes('-cpu host'));
  assert.ok(s.includes('-netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-device,netdev=n0'));
  assert.ok(s.includes('tsc_early_khz=2600000'));
  assert.ok(s.includes('-qmp unix:/s/q.sock,server=on,wait=off'));
  assert.ok(s.includes('-fsdev local,id=fs0,path=/src,security_model=passthrough,readonly=on -device virtio-9p-device,fsdev=fs0,mount_tag=m0'));
  assert.ok(s.includes('-device virtio-blk-device,drive=v0'));
});

test('qemu args: disk boots on q35 with virtio-pci, kvm uses the host cpu', () => {
  const s = qemuArgs({ qemu: 'q', accel: 'kvm', cpus: 1, memoryBytes: 1 << 30, qmpSocket: '/q', ports: [], disk: { path: '/o.qcow2', format: 'qcow2' }, volumes: [], shares: [] }).join(' ');
  assert.ok(s.includes('-M q35 -accel kvm -cpu host'));
  assert.ok(s.includes('-drive file=/o.qcow2,format=qcow2,if=virtio'));
  assert.ok(s.includes('virtio-net-pci'));
  assert.not.ok(s.includes('-kernel'));
});

test('hostfwd: 0.0.0.0 means every address; udp kept', () => {
  assert.equal(hostfwds([{ hostIp: '0.0.0.0', hostPort: 53, containerPort: 53, protocol: 'udp' }]), ['hostfwd=udp::53-:53']);
});

test('tsc_early_khz from /proc/cpuinfo', () => {
  assert.is(tscKhzFromCpuinfo('model name: x\ncpu MHz\t\t: 2095.989\n'), 2095989);
  assert.is(tscKhzFromCpuinfo('nothing'), undefined);
});

test('accel: PVM and missing /dev/kvm need no probe; the probe output decides otherwise', () => {
  assert.equal(accelWithoutProbe(true, true), { accel: 'tcg', why: 'tcg: /dev/kvm is PVM here, a stock kernel cannot boot on it' });
  assert.is(accelWithoutProbe(false, false)?.accel, 'tcg');
  assert.is(accelWithoutProbe(true, false), null);
  assert.is(judgeKvmProbe('[0.0] Linux version 6.1\n...Kernel panic - not syncing').accel, 'kvm');
  assert.is(judgeKvmProbe('KVM internal error. Suberror: 1\nemulation failure').accel, 'tcg');
  assert.match(judgeKvmProbe('').why, /nothing in time/);
});

test('exit: the guest code wins; forced reads as SIGKILL; else QEMU\'s own ending', () => {
  const e = { guest: null, code: 0, signal: null, finishedAt: 5 };
  assert.equal(toExitResult({ ...e, guest: 3 }, true), { oomKilled: false, finishedAt: 5, code: 3, signal: null });
  assert.is(toExitResult(e, true).signal, 'SIGKILL');
  assert.is(toExitResult({ ...e, code: null, signal: 9 }, false).signal, 'SIGKILL');
  assert.is(toExitResult(e, false).code, 0);
});

test('exit: a guest command killed by a signal reads as that signal, not 128+n', () => {
  const e = { guest: 143, guestSignal: 15, code: 0, signal: null, finishedAt: 5 };
  assert.equal(toExitResult(e, false), { oomKilled: false, finishedAt: 5, code: null, signal: 'SIGTERM' });
  assert.equal(toExitResult({ ...e, guestSignal: null }, false).code, 143, 'exit 143 stays a code');
  assert.equal(toExitResult({ ...e, guestSignal: undefined }, false).code, 143, 'an older shim without guestSignal');
});

test('init: the command runs under time -o, which tells a signal from an exit code', () => {
  const s = initScript(base);
  assert.ok(s.includes(`$B time -o $S -f '' $B sh -c 'echo $$ >/.berth/pid; exec "$@"' sh $B setsid 'sh' '-c'`));
  assert.ok(s.includes('echo "BERTH-EXIT $((128 + sig)) $sig"'));
  assert.ok(s.includes('-"$($B cat $P)"'), 'signals go to the command\'s process group');
});

test('init: on berth networks, addresses from the command line and hosts/resolv.conf from the share', () => {
  const s = initScript({ ...base, berthNet: true });
  assert.match(s, /for m in virtio virtio_mmio 9p; do/, '9p is loaded for the network share');
  assert.not.ok(s.includes('10.0.2.15'), 'no user-mode address');
  assert.ok(s.includes('berth.nic=*)'));
  assert.ok(s.includes('ro berthnet /.berth/net'));
  assert.ok(s.includes('mount --bind /.berth/net/$f /etc/$f'));
  assert.ok(initScript(base).includes('10.0.2.15/24'), 'user-mode without');
});

test('guest NICs on the kernel command line: MAC, address, gateway on the first only', () => {
  assert.equal(nicCmdline([
    { network: 'a', tap: 'tap0', mac: '02:00:00:00:00:01', cidr: '10.89.1.5/24', gateway: '10.89.1.1' },
    { network: 'b', tap: 'tap1', mac: '02:00:00:00:00:02', cidr: '10.89.2.5/24' },
  ]), ['berth.nic=02:00:00:00:00:01,10.89.1.5/24,10.89.1.1', 'berth.nic=02:00:00:00:00:02,10.89.2.5/24']);
});

test('qemu args: tap NICs in a namespace replace user-mode networking (no hostfwd)', () => {
  const a = qemuArgs({
    qemu: 'q', accel: 'tcg', cpus: 1, memoryBytes: 256 << 20, qmpSocket: '/q', volumes: [], shares: [],
    ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    microvm: { kernel: '/k', initrd: '/i' }, netnsPath: '/run/netns/berth-vm-x', nics: [{ tap: 'tap0', mac: '02:aa:bb:cc:dd:ee' }], cmdline: ['berth.nic=x'],
  });
  assert.equal(a.slice(0, 4), ['nsenter', '--net=/run/netns/berth-vm-x', '--', 'q']);
  const s = a.join(' ');
  assert.ok(s.includes('-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-device,netdev=n0,mac=02:aa:bb:cc:dd:ee'));
  assert.not.ok(s.includes('hostfwd'));
  assert.not.ok(s.includes('user,'));
  assert.match(a[a.indexOf('-append') + 1]!, / berth\.nic=x$/);
  const mapped = qemuArgs({ qemu: 'q', accel: 'tcg', cpus: 1, memoryBytes: 1 << 28, qmpSocket: '/q', ports: [], volumes: [], shares: [{ tag: 'x', source: '/e', readonly: false, mapped: true }] }).join(' ');
  assert.ok(mapped.includes('-fsdev local,id=fs0,path=/e,security_model=mapped-file -device'), 'a share the host reads back is mapped-file');
});

test('exec: the script applies env and workdir, then execs argv (as the user when not root)', () => {
  const s = execScript(['ls', '-l', "a b"], { env: { K: "v'1", 'bad key': 'x' }, workdir: '/srv', user: 'nobody' });
  assert.ok(s.includes(`export K='v'\\''1'`));
  assert.not.ok(s.includes('bad key'));
  assert.ok(s.includes(`cd '/srv' || exit 126`));
  assert.ok(s.trim().endsWith(`exec /.berth/busybox start-stop-daemon -S -p /.berth/none -c 'nobody' -a 'ls' -- '-l' 'a b'`));
  assert.ok(execScript(['true']).trim().endsWith(`exec 'true'`));
});

test('exec: time -o tells a signal from an exit code', () => {
  assert.equal(execResultOf('9\n', 'Command terminated by signal 9\n', 'o', 'e'), { code: null, signal: 'SIGKILL', stdout: 'o', stderr: 'e' });
  assert.equal(execResultOf('3\n', 'Command exited with non-zero status 3\n', '', ''), { code: 3, signal: null, stdout: '', stderr: '' });
  assert.equal(execResultOf('0\n', '\n', 'x', '').code, 0);
});

test('init: with exec, BERTH-EXEC runs a checked id from the exec share; without, the line is ignored', () => {
  const s = initScript({ ...base, exec: true });
  assert.ok(s.includes('BERTH-EXEC) berth_exec "$s" 3<&- &;;'));
  assert.ok(s.includes('case "$1" in *[!0-9a-f]*|"") return;; esac'), 'ids are hex only');
  assert.ok(s.includes('berthexec $X'));
  assert.not.ok(initScript(base).includes('BERTH-EXEC)'));
});

test('cloud-init seed: meta-data with id and hostname, user-data writes the files', () => {
  const docs = seedDocuments({ id: 'web-1', hostname: 'web' }, [{ path: '/run/berth/config/app.conf', content: Buffer.from('port=80\n'), mode: 0o100640 }]);
  assert.equal(parse(docs.metaData), { 'instance-id': 'web-1', 'local-hostname': 'web' });
  assert.ok(docs.userData.startsWith('#cloud-config\n'));
  const user = parse(docs.userData) as { hostname: string; write_files: { path: string; content: string; encoding: string; permissions: string }[] };
  assert.is(user.hostname, 'web');
  assert.is(user.write_files[0]!.path, '/run/berth/config/app.conf');
  assert.is(Buffer.from(user.write_files[0]!.content, 'base64').toString(), 'port=80\n');
  assert.is(user.write_files[0]!.permissions, '0640');
});

test('qemu args: a cloud-init seed is a read-only FAT disk labelled cidata', () => {
  const s = qemuArgs({ qemu: 'q', accel: 'tcg', cpus: 1, memoryBytes: 1 << 30, qmpSocket: '/q', ports: [], disk: { path: '/o', format: 'qcow2' }, seed: '/seed', volumes: [], shares: [] }).join(' ');
  assert.ok(s.includes('-drive file.driver=vvfat,file.dir=/seed,file.label=cidata,format=raw,if=virtio,readonly=on'));
});

test.run();
