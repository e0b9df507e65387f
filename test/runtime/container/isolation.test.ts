/**
 * Isolation proven from inside real containers (crun/runc + conmon, as root):
 * pid 1, hostname, network, filesystem, capabilities, no_new_privs, seccomp,
 * the image layer left untouched, read-only root, `user:`, user namespaces.
 */
import { existsSync, lstatSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { busyboxLayer, layerDigest } from '../../helpers/busybox-layer.js';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools } from './setup.js';

requireContainerTools();
const test = suite('container isolation');
const { driver, root, cleanup } = makeDriver();

/** Runs `script` in a busybox container to its end; returns the log lines and exit. */
async function runScript(script: string, over: Partial<InstanceSpec> = {}) {
  const spec = busyboxSpec(['/bin/sh', '-c', script], over);
  const handle = await driver.start(spec);
  try {
    const exit = await driver.wait(handle);
    return { exit, lines: logLines(handle.logPath), handle };
  } finally {
    await driver.destroy(handle);
    assert.equal(leftovers(spec.id, root), [], 'nothing left on the host');
  }
}

test.after(() => cleanup());

test('own pid 1, own hostname, only loopback, host files invisible', async () => {
  const marker = `/tmp/bt-host-marker-${process.pid}`;
  writeFileSync(marker, 'host');
  try {
    const { exit, lines } = await runScript(
      `echo "pid=$$"; echo "host=$(hostname)"; echo "ifs=$(ls /sys/class/net | tr '\\n' ' ')"; ` +
        `ls ${marker} >/dev/null 2>&1 && echo marker=seen || echo marker=absent; echo "procs=$(ls -d /proc/[0-9]* | wc -l)"`,
      { hostname: 'inside-box' },
    );
    assert.equal(exit.code, 0);
    assert.ok(lines.includes('pid=1'), lines.join('|'));
    assert.ok(lines.includes('host=inside-box'));
    assert.ok(lines.includes('ifs=lo '), `interfaces: ${lines.join('|')}`);
    assert.ok(lines.includes('marker=absent'));
    // sh, ls and wc at most: the host has hundreds
    const procs = Number(lines.find((l) => l.startsWith('procs='))?.slice(6));
    assert.ok(procs > 0 && procs < 6, `saw ${procs} processes`);
  } finally {
    rmSync(marker, { force: true });
  }
});

test("capabilities are Docker's default set, no_new_privs on, seccomp filtering", async () => {
  const { lines } = await runScript('grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; unshare -n true 2>&1 && echo unshare=ok || echo unshare=denied');
  assert.ok(lines.includes('CapEff:\t00000000a80425fb'), lines.join('|'));
  assert.ok(lines.includes('CapBnd:\t00000000a80425fb'));
  assert.ok(lines.includes('NoNewPrivs:\t1'));
  assert.ok(lines.includes('Seccomp:\t2'));
  assert.ok(lines.includes('unshare=denied'));
});

test('cap_drop ALL + cap_add NET_ADMIN gives exactly CAP_NET_ADMIN', async () => {
  const { lines } = await runScript('grep ^CapEff: /proc/self/status', { capDrop: ['ALL'], capAdd: ['NET_ADMIN'] });
  assert.equal(lines, ['CapEff:\t0000000000001000']);
});

test('writes in the container leave the image layer untouched', async () => {
  const layer = busyboxLayer();
  const before = layerDigest(layer);
  const { exit, handle } = await (async () => {
    const spec = busyboxSpec(['/bin/sh', '-c', 'echo new > /etc/new-file && rm /bin/ls && echo changed > /etc/passwd && cat /etc/new-file']);
    const h = await driver.start(spec);
    const e = await driver.wait(h);
    // the upper dir holds the change and a whiteout for the deletion
    const upper = join(root, 'containers', spec.id, 'upper');
    assert.ok(existsSync(join(upper, 'etc', 'new-file')));
    const wh = lstatSync(join(upper, 'bin', 'ls'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'deletion recorded as a whiteout');
    await driver.destroy(h);
    return { exit: e, handle: h };
  })();
  assert.equal(exit.code, 0);
  assert.ok(!existsSync(handle.logPath));
  assert.equal(layerDigest(layer), before);
  assert.ok(readdirSync(join(layer, 'bin')).includes('ls'));
});

test('readonly_rootfs: writes to / fail, tmpfs mounts still work', async () => {
  const { lines } = await runScript('touch /x 2>/dev/null && echo root=rw || echo root=ro; touch /scratch/x && echo tmpfs=rw', {
    readonlyRootfs: true,
    mounts: [{ type: 'tmpfs', target: '/scratch', readonly: false }],
  });
  assert.equal(lines, ['root=ro', 'tmpfs=rw']);
});

test('user: a name from the image /etc/passwd runs with its uid and gid', async () => {
  const { lines } = await runScript('id -u; id -g; grep ^CapEff: /proc/self/status', { user: 'nobody' });
  assert.equal(lines, ['65534', '65534', 'CapEff:\t0000000000000000']);
});

test('userns: root inside maps to 100000 outside', async () => {
  const { exit, lines } = await runScript('cat /proc/self/uid_map; id -u', { userns: true });
  assert.equal(exit.code, 0, lines.join('|'));
  assert.equal(lines.map((l) => l.trim().split(/\s+/).join(' ')), ['0 100000 65536', '0']);
});

test('bind mounts: read-only is enforced, contents visible', async () => {
  const { lines } = await runScript('ls /fixtures/forever && (touch /fixtures/x 2>/dev/null && echo rw || echo ro)');
  assert.equal(lines, ['/fixtures/forever', 'ro']);
});

test.run();
