/**
 * Bad input to the VM driver: each is a clear DriverError, with QEMU
 * stopped and nothing left (no process, no instance folder).
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import type { VmDriver } from '../../../src/runtime/vm/driver.js';
import { makeVmDriver, pidsMentioning, requireVmTools, vmSpec } from './setup.js';

requireVmTools();

async function refused(driver: VmDriver, spec: InstanceSpec, code: string, message: RegExp): Promise<DriverError> {
  try {
    await driver.start(spec);
  } catch (err) {
    assert.instance(err, DriverError);
    const e = err as DriverError;
    assert.is(e.code, code, e.message);
    assert.match(e.message, message);
    assert.ok(e.hint, 'has a hint');
    return e;
  }
  throw new Error(`start should have failed with ${code}`);
}

function noInstances(root: string): void {
  const dir = join(root, 'instances');
  assert.equal(existsSync(dir) ? readdirSync(dir) : [], [], 'no instance folder left');
  assert.equal(pidsMentioning(root), [], 'no process left');
}

test('missing kernel, missing disk, too much memory: refused before QEMU starts', async () => {
  const { driver, root, cleanup } = makeVmDriver();
  try {
    await refused(driver, vmSpec('true', { vm: { cpus: 1, memoryBytes: 64 << 20, kernel: '/nonexistent/vmlinux', disksBytes: [], cloudInit: false } }), 'E_VM_KERNEL', /no guest kernel at \/nonexistent\/vmlinux/);
    await refused(driver, vmSpec('true', { layers: [], disk: '/nonexistent/disk.qcow2' }), 'E_VM_DISK', /does not exist/);
    await refused(driver, vmSpec('true', { vm: { cpus: 1, memoryBytes: totalmem() * 2, disksBytes: [], cloudInit: false } }), 'E_VM_MEMORY', /more than this host has/);
    noInstances(root);
  } finally {
    assert.equal(await cleanup(), []);
  }
});

test('a corrupt disk image: qemu-img cannot read it', async () => {
  const { driver, root, cleanup } = makeVmDriver();
  try {
    const bad = join(root, 'bad.qcow2');
    writeFileSync(bad, Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(4096, 0xff)]));
    await refused(driver, vmSpec('true', { layers: [], disk: bad }), 'E_VM_DISK', /cannot read disk image/);
    noInstances(root);
  } finally {
    assert.equal(await cleanup(), []);
  }
});

test('a guest that never comes up: boot timeout, QEMU stopped; a disk image is never written', async () => {
  const { driver, root, cleanup } = makeVmDriver({ bootTimeoutMs: 1500 });
  try {
    await refused(driver, vmSpec('true'), 'E_VM_BOOT_TIMEOUT', /did not come up within 2 s/);
    noInstances(root);
    // an empty raw disk: the firmware finds nothing to boot and prints nothing on the serial console
    const base = join(root, 'base.raw');
    writeFileSync(base, Buffer.alloc(1 << 20));
    const before = createHash('sha256').update(readFileSync(base)).digest('hex');
    // with a cloud-init seed: QEMU accepts it (the boot times out rather than failing to start)
    const cfg = join(root, 'cfg');
    mkdirSync(cfg);
    writeFileSync(join(cfg, 'app.conf'), 'x=1\n');
    await refused(driver, vmSpec('true', {
      layers: [], disk: base, vm: { cpus: 1, memoryBytes: 128 << 20, disksBytes: [], cloudInit: true },
      mounts: [{ type: 'bind', source: cfg, target: '/run/berth/config', readonly: true }],
    }), 'E_VM_BOOT_TIMEOUT', /no first line/);
    assert.is(createHash('sha256').update(readFileSync(base)).digest('hex'), before, 'the base image is unchanged');
    noInstances(root);
  } finally {
    assert.equal(await cleanup(), []);
  }
});

test('destroy of a start the agent died in: by id, its processes killed and its folder removed', async () => {
  const { driver, root, cleanup } = makeVmDriver();
  try {
    const dir = join(root, 'instances', 'bt-pending1');
    mkdirSync(dir, { recursive: true });
    // stands in for the shim and QEMU: what matters is the instance folder on the command line
    const child = spawn('perl', ['-e', 'sleep 1000', `${dir}/qmp.sock`], { stdio: 'ignore', detached: true });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(pidsMentioning(dir).length > 0);
    await driver.destroy({ id: 'bt-pending1', unit: 'vmtest', driver: 'vm', startedAt: 0, logPath: '', data: {} });
    assert.equal(pidsMentioning(`${dir}/`), []);
    assert.not.ok(existsSync(dir));
    child.unref();
  } finally {
    assert.equal(await cleanup(), []);
  }
});

test.run();
