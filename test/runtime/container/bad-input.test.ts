/**
 * Bad input fails before anything runs, with one clear DriverError, and
 * leaves nothing behind (no mount, netns, cgroup, process or directory).
 * Also: `cleanupLeftovers` removes what a crashed agent left half-made.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import type { InstanceSpec } from '../../../src/runtime/driver.js';
import { createNetns } from '../../../src/runtime/container/netns.js';
import { mountOverlay } from '../../../src/runtime/container/overlay.js';
import { busyboxLayer } from '../../helpers/busybox-layer.js';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools, until } from './setup.js';

requireContainerTools();
const test = suite('container bad input');
const { driver, root, cleanup } = makeDriver();

test.after(() => cleanup());

async function expectFailure(over: Partial<InstanceSpec>, argv: string[], code: RegExp | string, message: RegExp) {
  const spec = busyboxSpec(argv, over);
  try {
    await driver.start(spec);
    assert.unreachable('start should fail');
  } catch (err) {
    assert.instance(err, DriverError);
    const e = err as DriverError;
    if (typeof code === 'string') assert.equal(e.code, code);
    else assert.match(e.code, code);
    assert.match(e.message, message);
    assert.equal(e.unit, 'test');
  }
  assert.equal(leftovers(spec.id, root), [], 'nothing left behind');
}

test('a command missing from the image', async () => {
  // (busybox has an httpd applet, so the classic example is nginx here)
  await expectFailure({}, ['nginx', '-g', 'daemon off;'], 'E_COMMAND_NOT_FOUND', /executable file `nginx` not found in the image's PATH/);
});

test('an absolute command path missing from the image', async () => {
  await expectFailure({}, ['/usr/sbin/nginx'], 'E_COMMAND_NOT_FOUND', /`\/usr\/sbin\/nginx` not found at/);
});

test('a user missing from the image', async () => {
  await expectFailure({ user: 'www-data' }, ['/bin/true'], 'E_BAD_USER', /www-data.*not found in the image's \/etc\/passwd/);
});

test('memory below the minimum', async () => {
  await expectFailure({ resources: { memoryBytes: 1024 } }, ['/bin/true'], 'E_MEMORY_TOO_SMALL', /below the minimum/);
});

test('an unknown or refused capability', async () => {
  await expectFailure({ capAdd: ['SYS_RESOURCE'] }, ['/bin/true'], 'E_CAPABILITY', /CAP_SYS_RESOURCE cannot be granted/);
  await expectFailure({ capAdd: ['FLY'] }, ['/bin/true'], 'E_CAPABILITY', /unknown capability CAP_FLY/);
});

test('a missing bind-mount source and a missing layer', async () => {
  await expectFailure({ mounts: [{ type: 'bind', source: '/nonexistent/bt', target: '/data', readonly: false }] }, ['/bin/true'], 'E_MOUNT_SOURCE', /does not exist/);
  await expectFailure({ layers: ['/nonexistent/layer'] }, ['/bin/true'], 'E_LAYER_MISSING', /missing/);
});

test('the runtime refusing the config: error carries its message, nothing left', async () => {
  // a workdir that is a file makes the runtime fail after conmon started
  await expectFailure({ workdir: '/etc/passwd' }, ['/bin/true'], /^E_RUNTIME_(CREATE|START)$/, /could not (create|start)/);
});

test('cleanupLeftovers removes half-made containers and keeps live ones', async () => {
  // a live one
  const live = busyboxSpec(['/fixtures/forever']);
  const h = await driver.start(live);
  try {
    assert.ok(await until(() => logLines(h.logPath).includes('ready')));
    // a half-made one: dir, overlay mounted, netns, no conmon
    const id = `bt-half-${process.pid}`;
    const dir = join(root, 'containers', id);
    mkdirSync(dir, { recursive: true });
    await mountOverlay([busyboxLayer()], { upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'rootfs') });
    await createNetns(id);
    assert.ok(leftovers(id, root).length >= 3);
    const removed = await driver.cleanupLeftovers();
    assert.equal(removed, [id]);
    assert.equal(leftovers(id, root), []);
    assert.ok(readdirSync(join(root, 'containers')).includes(live.id));
    assert.equal((await driver.inspect(h)).state, 'running');
  } finally {
    await driver.destroy(h);
  }
  assert.equal(leftovers(live.id, root), []);
});

test.run();
