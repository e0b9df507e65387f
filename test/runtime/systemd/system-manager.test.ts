/**
 * The systemd driver and `berth systemd install` against a real system
 * manager (systemd as a container's init, test/helpers/systemd-container.ts):
 * MemoryMax and TasksMax are enforced on the transient unit, and
 * berth.service is enabled in /etc/systemd/system over D-Bus.
 * The first run builds a Debian rootfs with debootstrap (~40 s, cached).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { SystemdDriver } from '../../../src/runtime/systemd/driver.js';
import { exportFromPath } from '../../../src/systemd/export-path.js';
import { installAgentService } from '../../../src/systemd/install-agent.js';
import { SystemdManager } from '../../../src/systemd/systemd-manager.js';
import { startSystemManager, type SystemManager } from '../../helpers/systemd-container.js';

let sm: SystemManager;
let driver: SystemdDriver;

const spec = (argv: string[], resources: InstanceSpec['resources']): InstanceSpec => ({
  id: `bt-${randomBytes(4).toString('hex')}`, unit: 'limits', argv, env: {}, hostname: 'x', resources, mounts: [], network: { attach: [], ports: [] },
});

test.before(async () => {
  sm = await startSystemManager();
  driver = new SystemdDriver({ root: join(sm.shared, 'systemd'), busAddress: sm.address, pollMs: 500 });
});
test.after(async () => {
  driver?.close();
  await sm?.stop();
});

test('MemoryMax is enforced: a process that grows past it is killed', async () => {
  const h = await driver.start(spec(['/usr/bin/perl', '-e', 'my $x = "a" x (256 * 1024 * 1024); print "survived\\n"'], { memoryBytes: 32 << 20 }));
  const exit = await driver.wait(h);
  assert.is(exit.code, null, JSON.stringify(exit));
  assert.is(exit.signal, 'SIGKILL');
  assert.not.match(readFileSync(h.logPath, 'utf8'), /survived/);
  await driver.destroy(h);
});

test('TasksMax is enforced: forks past it fail', async () => {
  const h = await driver.start(spec(['/bin/sh', '-c', 'i=0; while [ $i -lt 40 ]; do sleep 3 & i=$((i+1)); done 2>&1; echo done'], { pids: 8 }));
  await driver.wait(h);
  const log = readFileSync(h.logPath, 'utf8');
  assert.match(log, /fork/i, log);
  await driver.destroy(h);
});

test('berth.service is installed and enabled in the system manager', async () => {
  const unitPath = join(sm.rootfs, 'etc/systemd/system/berth.service');
  const r = await installAgentService({ berth: ['/usr/bin/node', '/opt/berth/bin/berth.js'], root: '/var/lib/berth', socket: '/run/berth/berth.sock', unitPath, busAddress: sm.address });
  assert.ok(existsSync(unitPath));
  const link = join(sm.rootfs, 'etc/systemd/system/multi-user.target.wants/berth.service');
  assert.ok(lstatSync(link).isSymbolicLink(), r.changes.join('; '));
  const m = await SystemdManager.connect(sm.address);
  try {
    const p = await m.unitProperties('berth.service');
    assert.is(p.loadState, 'loaded');
    assert.is(p.activeState, 'inactive');
  } finally { m.close(); }
});

test('an exported unit is started by the system manager, with its memory limit enforced', async () => {
  const units = join(sm.shared, 'units');
  mkdirSync(units, { recursive: true });
  const marker = join(sm.shared, 'exported-ran');
  writeFileSync(join(units, 'hog.yaml'), [
    'name: hog', 'kind: job', 'isolation: process', 'resources: { memory: 32Mi }',
    `run: { command: ["/bin/sh", "-c", "echo started > ${marker}; exec /usr/bin/perl -e 'my $x = \\"a\\" x (256 * 1024 * 1024); print qq(survived)' >> ${marker}"] }`,
  ].join('\n'));
  const r = await exportFromPath(units, join(sm.rootfs, 'etc/systemd/system'));
  assert.equal(r.errors, []);
  const m = await SystemdManager.connect(sm.address);
  try {
    await m.subscribe();
    await m.reload();
    const result = await m.runJob(() => m.unitJob('StartUnit', 'berth-hog.service'));
    assert.is(result, 'failed', 'a oneshot killed by the OOM killer fails its start job');
    const p = await m.unitProperties('berth-hog.service');
    assert.is(p.activeState, 'failed');
    assert.ok(['oom-kill', 'signal'].includes(p.result ?? ''), p.result);
    assert.is(readFileSync(marker, 'utf8').trim(), 'started');
    await m.resetFailedUnit('berth-hog.service');
  } finally { m.close(); }
});

test.run();
