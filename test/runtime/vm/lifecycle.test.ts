/**
 * The VM driver with real QEMU (TCG here): a job VM's output, template
 * share and exit code; a service VM with a published port, paused and
 * resumed over QMP, re-attached by a new driver, stopped gracefully then
 * by force. Two boots in all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VmDriver } from '../../../src/runtime/vm/driver.js';
import { freePort, logTexts, makeVmDriver, pidsMentioning, requireVmTools, until, vmSpec } from './setup.js';

requireVmTools();

test('a job VM: output in the log, template share mounted, extra volume, exit code from wait(), nothing left', async () => {
  const { driver, root, cleanup } = makeVmDriver();
  const config = mkdtempSync('/tmp/bt-vmcfg-');
  try {
    writeFileSync(join(config, 'greeting.txt'), 'hello from a template\n');
    const spec = vmSpec('cat /run/berth/config/greeting.txt; echo "x=$X host=$(hostname) dir=$(pwd)"; [ -b /dev/vda ] && echo "volume $(cat /sys/block/vda/size)"; exit 3', {
      vm: { cpus: 1, memoryBytes: 256 << 20, disksBytes: [8 << 20], cloudInit: false },
      env: { PATH: '/bin:/sbin', X: 'a b' }, workdir: '/srv', hostname: 'jobvm',
      mounts: [{ type: 'bind', source: config, target: '/run/berth/config', readonly: true }],
    });
    const h = await driver.start(spec);
    assert.is(h.driver, 'vm');
    const exit = await driver.wait(h);
    assert.is(exit.code, 3, `exit ${JSON.stringify(exit)}; log: ${logTexts(h).join(' | ')}`);
    const log = logTexts(h);
    assert.ok(log.includes('hello from a template'), log.join(' | '));
    assert.ok(log.includes('x=a b host=jobvm dir=/srv'), log.join(' | '));
    assert.ok(log.includes(`volume ${(8 << 20) / 512}`), 'the extra volume is /dev/vda');
    assert.not.ok(log.some((l) => l.startsWith('BERTH-')), 'markers are not in the log');
    assert.is((await driver.inspect(h)).state, 'exited');
    await driver.destroy(h);
    assert.equal(pidsMentioning(root), []);
  } finally {
    rmSync(config, { recursive: true, force: true });
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test('a service VM: published port, pause/unpause over QMP, recovered by a new driver, stop graceful then forced', async () => {
  const { driver, root, cleanup } = makeVmDriver();
  try {
    const port = await freePort();
    const spec = vmSpec('mkdir -p /www; echo hello-vm > /www/index.html; httpd -p 8080 -h /www; trap "echo got-term" TERM; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done', {
      network: { attach: [], ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 8080, protocol: 'tcp' }] },
    });
    const h = await driver.start(spec);
    const body = await until('the guest httpd on 127.0.0.1', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      return r.ok ? r.text() : undefined;
    }, 90_000);
    assert.is(body.trim(), 'hello-vm');

    const ticks = () => logTexts(h).filter((l) => l.startsWith('tick ')).length;
    await until('ticks', () => ticks() > 2);
    await driver.pause(h);
    assert.is((await driver.inspect(h)).state, 'paused');
    await new Promise((r) => setTimeout(r, 300)); // the shim flushes what was already sent
    const frozen = ticks();
    await new Promise((r) => setTimeout(r, 1500));
    assert.is(ticks(), frozen, 'the counter stops while paused');
    await driver.unpause(h);
    await until('ticks after unpause', () => ticks() > frozen, 30_000);

    // a new driver (an agent restart) re-attaches over QMP
    const again = new VmDriver({ root });
    const h2 = await again.recover(JSON.parse(JSON.stringify(h)));
    assert.ok(h2, 'recovered');
    const st = await again.inspect(h2!);
    assert.is(st.state, 'running');
    assert.is(st.detail?.accel, (await again.accel()).accel);
    const waited = again.wait(h2!);
    const stopped = await again.stop(h2!, 'SIGTERM', 3000);
    assert.ok(logTexts(h).includes('got-term'), 'the graceful signal reached the guest command');
    assert.is(stopped.signal, 'SIGKILL', 'then the stop was forced');
    assert.equal(await waited, stopped);
    await until('QEMU and its shim gone', () => pidsMentioning(h.data.qmpSocket as string).length === 0, 5000);
    await again.destroy(h2!);
  } finally {
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test.run();
