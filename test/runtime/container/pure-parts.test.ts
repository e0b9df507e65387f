/** Unit tests of the driver's small pure parts: users, command lookup, conmon, exit status, state, /proc, spec checks. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { keyedValue } from '../../../src/runtime/container/cgroup.js';
import { checkSpec } from '../../../src/runtime/container/check-spec.js';
import { buildConmonArgs, parseSyncMessage } from '../../../src/runtime/container/conmon.js';
import { decodeStatus } from '../../../src/runtime/container/exit-file.js';
import { findExecutable, resolveInRoot } from '../../../src/runtime/container/find-executable.js';
import { overlayOptions } from '../../../src/runtime/container/overlay.js';
import { parseProcStat, parseProcStatus } from '../../../src/runtime/container/proc-info.js';
import { resolveUser } from '../../../src/runtime/container/resolve-user.js';
import { wrapperScript } from '../../../src/runtime/container/runtime-detect.js';
import { deriveStatus } from '../../../src/runtime/container/state.js';

const test = suite('container pure parts');

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\nnobody:x:65534:65534::/:/bin/false\n';
const GROUP = 'root:x:0:\nwww:x:33:\nadm:x:4:www\nnogroup:x:65534:\n';

const userCases: [string | undefined, unknown][] = [
  [undefined, { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
  ['www', { uid: 33, gid: 33, additionalGids: [4], home: '/var/www' }],
  ['33', { uid: 33, gid: 33, additionalGids: [4], home: '/var/www' }],
  ['1000', { uid: 1000, gid: 1000, additionalGids: [], home: '/' }],
  ['www:nogroup', { uid: 33, gid: 65534, additionalGids: [4], home: '/var/www' }],
  ['1000:5', { uid: 1000, gid: 5, additionalGids: [], home: '/' }],
];
for (const [user, want] of userCases) {
  test(`resolveUser ${String(user)}`, () => {
    assert.equal(resolveUser(user, PASSWD, GROUP), { ok: true, user: want });
  });
}

test('resolveUser: unknown names are errors naming the file', () => {
  assert.equal(resolveUser('httpd', PASSWD, GROUP), { ok: false, reason: 'user "httpd" not found in the image\'s /etc/passwd' });
  assert.equal(resolveUser('www:wheel', PASSWD, GROUP), { ok: false, reason: 'group "wheel" not found in the image\'s /etc/group' });
});

test('findExecutable follows absolute symlinks inside the rootfs, honours PATH and bind mounts', () => {
  const root = mkdtempSync(join(tmpdir(), 'bt-fe-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'bin/busybox'), '');
    chmodSync(join(root, 'bin/busybox'), 0o755);
    symlinkSync('/bin/busybox', join(root, 'usr/sbin/httpd'));
    writeFileSync(join(root, 'bin/data'), '');
    symlinkSync('/etc/passwd', join(root, 'bin/host-escape')); // resolves inside the root, where it is missing
    assert.equal(findExecutable(root, 'httpd', '/usr/bin:/usr/sbin'), '/usr/sbin/httpd');
    assert.equal(findExecutable(root, 'httpd', '/usr/bin'), null);
    assert.equal(findExecutable(root, '/bin/data', ''), null, 'not executable');
    assert.equal(findExecutable(root, '/bin/host-escape', ''), null);
    assert.equal(findExecutable(root, './busybox', '', '/bin'), '/bin/busybox');
    assert.equal(resolveInRoot(root, '/usr/sbin/httpd'), join(root, 'bin/busybox'));
    const host = mkdtempSync(join(tmpdir(), 'bt-fe-bind-'));
    writeFileSync(join(host, 'svc'), '', { mode: 0o755 });
    assert.equal(findExecutable(root, '/opt/svc', '', '/', [{ source: host, target: '/opt' }]), '/opt/svc');
    rmSync(host, { recursive: true });
  } finally {
    rmSync(root, { recursive: true });
  }
});

test('conmon: argv and sync-pipe messages', () => {
  const args = buildConmonArgs({
    conmon: 'conmon', id: 'c1', name: 'c1', runtimeArgv: ['/usr/bin/unshare', '-m', '/s/crun-create'], runtimeRoot: '/s/rt', bundle: '/s/c1', pidFile: '/s/c1/pid',
    conmonPidFile: '/s/c1/conmon.pid', logPath: '/s/c1/ctr.log', logSizeMax: 1024, exitDir: '/s/c1/exit', persistDir: '/s/c1/persist', socketDir: '/s/c1',
  });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(after('-c'), 'c1');
  assert.equal(after('-r'), '/usr/bin/unshare');
  // conmon puts runtime args before its own `create …`, in order: unshare's flags, the wrapper, then the runtime's --root
  assert.equal(args.flatMap((a, i) => (args[i - 1] === '--runtime-arg' ? [a] : [])), ['-m', '/s/crun-create', '--root=/s/rt']);
  assert.equal(after('-l'), 'k8s-file:/s/c1/ctr.log');
  assert.equal(after('--log-size-max'), '1024');
  assert.equal(after('--exit-dir'), '/s/c1/exit');
  assert.equal(parseSyncMessage('{"data": 4242}\n'), { ok: true, pid: 4242 });
  assert.equal(parseSyncMessage('{"data": -1, "message": "exec failed"}'), { ok: false, message: 'exec failed' });
  assert.equal(parseSyncMessage('{"da'), null);
});

test('exit status: codes, 128+signal, and out-of-range values', () => {
  assert.equal(decodeStatus(0), { code: 0, signal: null });
  assert.equal(decodeStatus(3), { code: 3, signal: null });
  assert.equal(decodeStatus(137), { code: null, signal: 'SIGKILL' });
  assert.equal(decodeStatus(143), { code: null, signal: 'SIGTERM' });
  assert.equal(decodeStatus(255), { code: 255, signal: null });
});

test('deriveStatus: exit file wins, then the runtime state, else gone', () => {
  const usage = { pids: 2 };
  assert.equal(deriveStatus({ runtime: { status: 'running', pid: 9 }, exitStatus: null, oomKilled: false, usage }).state, 'running');
  assert.equal(deriveStatus({ runtime: { status: 'paused', pid: 9 }, exitStatus: null, oomKilled: false, usage }).state, 'paused');
  const ex = deriveStatus({ runtime: { status: 'stopped', pid: 0 }, exitStatus: 137, exitedAt: 5, oomKilled: true, usage });
  assert.equal(ex, { state: 'exited', exit: { code: null, signal: 'SIGKILL', oomKilled: true, finishedAt: 5 } });
  assert.equal(deriveStatus({ runtime: null, exitStatus: null, oomKilled: false, usage }), { state: 'gone' });
});

test('/proc parsers handle commands with spaces and parentheses', () => {
  const stat = '42 (my (odd) cmd) S 7 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1234 1000 10 18446744073709551615';
  assert.equal(parseProcStat(stat), { ppid: 7, utime: 250, stime: 50, starttime: 1234 });
  assert.equal(parseProcStatus('Name:\tsh\nUid:\t65534\t65534\t65534\t65534\nVmRSS:\t    1500 kB\n'), { uid: 65534, rssBytes: 1536000 });
  assert.equal(keyedValue('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', 'oom_kill'), 3);
  assert.equal(keyedValue(undefined, 'oom_kill'), undefined);
});

test('overlay options put layers top-most first and refuse separators in paths', () => {
  assert.equal(overlayOptions(['/l/top', '/l/base'], { upper: '/c/u', work: '/c/w', merged: '/c/m' }), 'lowerdir=/l/top:/l/base,upperdir=/c/u,workdir=/c/w');
  assert.throws(() => overlayOptions(['/l/a:b'], { upper: '/u', work: '/w', merged: '/m' }));
});

test('wrapper script hides the cgroup2 controllers in a private mount namespace', () => {
  const s = wrapperScript('/usr/bin/crun', '/s/empty');
  assert.match(s, /unshare -m --propagation private/);
  assert.match(s, /mount --bind \/s\/empty \/sys\/fs\/cgroup\/unified\/cgroup.controllers/);
  assert.match(s, /exec \/usr\/bin\/crun "\$@"/);
});

const base: InstanceSpec = { id: 'a-1', unit: 'u', layers: ['/l'], argv: ['sh'], env: {}, hostname: 'a', resources: {}, mounts: [], network: { attach: [], ports: [] } };
const bad: [Partial<InstanceSpec>, string][] = [
  [{ id: 'bad id' }, 'E_CONTAINER_ID'],
  [{ layers: [] }, 'E_NO_ROOTFS'],
  [{ argv: [] }, 'E_NO_COMMAND'],
  [{ resources: { memoryBytes: 4 << 20 } }, 'E_MEMORY_TOO_SMALL'],
  [{ resources: { cpus: 0 } }, 'E_BAD_CPUS'],
  [{ resources: { pids: 1.5 } }, 'E_BAD_PIDS'],
  [{ capAdd: ['sys_resource'] }, 'E_CAPABILITY'],
  [{ mounts: [{ type: 'tmpfs', target: 'rel', readonly: false }] }, 'E_MOUNT'],
];
for (const [over, code] of bad) {
  test(`checkSpec rejects with ${code}`, () => {
    try {
      checkSpec({ ...base, ...over });
      assert.unreachable();
    } catch (err) {
      assert.instance(err, DriverError);
      assert.equal((err as DriverError).code, code);
    }
  });
}

test('checkSpec returns the capability set for a good spec', () => {
  assert.equal(checkSpec({ ...base, capDrop: ['ALL'], capAdd: ['kill'] }), ['CAP_KILL']);
});

test.run();
