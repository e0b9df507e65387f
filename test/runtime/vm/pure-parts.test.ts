/**
 * The VM driver's pure parts: /init text, QEMU command line, the
 * accelerator decision, exit results.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { accelWithoutProbe, judgeKvmProbe } from '../../../src/runtime/vm/accel.js';
import { seedDocuments } from '../../../src/runtime/vm/cloud-init.js';
import { initScript, shQuote } from '../../../src/runtime/vm/init-script.js';
import { hostfwds, qemuArgs, tscKhzFromCpuinfo } from '../../../src/runtime/vm/qemu-args.js';
import { toExitResult } from '../../../src/runtime/vm/state.js';

const base = { argv: ['sh', '-c', "echo 'hi'"], env: { A: "it's", 'bad-key': 'x' }, hostname: 'web', shares: [], tmpfs: [], modules: ['virtio', 'virtio_mmio', '9p'] };

test('init: quotes argv and env, skips invalid env names, runs as the user, reports the exit code', () => {
  const s = initScript({ ...base, user: 'nobody', workdir: '/srv' });
  assert.ok(s.includes(`export A='it'\\''s'`));
  assert.not.ok(s.includes('bad-key'));
  assert.ok(s.includes(`$B setsid $B chpst -u 'nobody' 'sh' '-c' 'echo '\\''hi'\\'''`));
  assert.ok(s.includes(`cd '/srv'`));
  assert.ok(s.includes('echo "BERTH-EXIT $code"'));
  assert.ok(s.indexOf('BERTH-READY') < s.indexOf('setsid'), 'ready is said before the command runs');
});

test('init: loads only present modules in order, 9p only with shares; root needs no chpst', () => {
  const plain = initScript({ ...base, user: 'root' });
  assert.match(plain, /for m in virtio virtio_mmio; do/);
  assert.not.ok(plain.includes('chpst'));
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
