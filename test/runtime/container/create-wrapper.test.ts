/**
 * The create wrapper conmon runs (create-wrapper.ts): the script is run for
 * real by /bin/sh with a stand-in runtime that prints its argv, and the
 * layered lookup it relies on (layered-root.ts) is checked on real layer
 * directories with overlay whiteouts.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createWrapperScript, mountsFstab } from '../../../src/runtime/container/create-wrapper.js';
import { resolveInLayers } from '../../../src/runtime/container/layered-root.js';
import { prepareMountTargets } from '../../../src/runtime/container/mount-targets.js';

const test = suite('create wrapper');

test('turns the first `create` into `run --detach` and keeps every other argument in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-cw-'));
  try {
    const fake = join(dir, 'fake-runtime');
    writeFileSync(fake, '#!/bin/sh\nfor a; do printf "%s|" "$a"; done\n', { mode: 0o755 });
    const wrapper = join(dir, 'wrapper');
    writeFileSync(wrapper, createWrapperScript(fake), { mode: 0o755 });
    const out = execFileSync(wrapper, ['--root=/r x', 'create', '--bundle', join(dir, 'nobundle'), '--pid-file', '/p', 'create'], { encoding: 'utf8' });
    assert.is(out, `--root=/r x|run|--detach|--bundle|${join(dir, 'nobundle')}|--pid-file|/p|create|`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bundle fstab that cannot be mounted fails the create with mount\'s own message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-cw-'));
  try {
    const fake = join(dir, 'fake-runtime');
    writeFileSync(fake, '#!/bin/sh\necho ran\n', { mode: 0o755 });
    writeFileSync(join(dir, 'w'), createWrapperScript(fake), { mode: 0o755 });
    writeFileSync(join(dir, 'mounts.fstab'), mountsFstab({ options: `lowerdir=${join(dir, 'missing')},upperdir=${join(dir, 'u')},workdir=${join(dir, 'w2')}`, target: join(dir, 'rootfs') }, null));
    // in a private mount namespace, as conmon runs it, so nothing can leak onto the host
    let failed = false;
    try {
      execFileSync('unshare', ['-m', '--propagation', 'private', join(dir, 'w'), 'create', '--bundle', dir, 'id'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failed = true;
      assert.match(String((err as { stderr?: string }).stderr), /rootfs|mount/);
    }
    assert.ok(failed, 'the runtime must not run when the rootfs is not mounted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mountsFstab escapes blanks and puts the controller hiding first', () => {
  const text = mountsFstab({ options: 'lowerdir=/a b,upperdir=/u,workdir=/w', target: '/c d/rootfs' }, '/s/empty');
  assert.is(text, '/s/empty /sys/fs/cgroup/unified/cgroup.controllers none bind 0 0\noverlay /c\\040d/rootfs overlay lowerdir=/a\\040b,upperdir=/u,workdir=/w 0 0\n');
});

test('resolveInLayers: topmost wins, whiteouts hide, dirs merge, symlinks resolve inside the layers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-lr-'));
  try {
    const [top, mid, base] = ['top', 'mid', 'base'].map((n) => join(dir, n)) as [string, string, string];
    for (const l of [top, mid, base]) mkdirSync(join(l, 'etc'), { recursive: true });
    writeFileSync(join(base, 'etc/passwd'), 'base');
    writeFileSync(join(mid, 'etc/passwd'), 'mid');
    writeFileSync(join(base, 'etc/group'), 'g');
    execFileSync('mknod', [join(top, 'etc/group'), 'c', '0', '0']); // deleted in the top layer
    mkdirSync(join(base, 'usr/bin'), { recursive: true });
    writeFileSync(join(base, 'usr/bin/tool'), '');
    chmodSync(join(base, 'usr/bin/tool'), 0o755);
    symlinkSync('usr/bin', join(mid, 'bin')); // a relative link in one layer to a dir of another
    symlinkSync('/etc/passwd', join(top, 'pw')); // absolute: inside the layers, not the host
    writeFileSync(join(mid, 'opt'), 'a file hides the dir below');
    mkdirSync(join(base, 'opt/x'), { recursive: true });
    const layers = [top, mid, base];
    assert.is(resolveInLayers(layers, '/etc/passwd')?.host, join(mid, 'etc/passwd'));
    assert.is(resolveInLayers(layers, '/etc/group'), null);
    assert.is(resolveInLayers(layers, '/bin/tool')?.host, join(base, 'usr/bin/tool'));
    assert.is(resolveInLayers(layers, '/bin/tool')?.path, '/usr/bin/tool');
    assert.is(readFileSync(resolveInLayers(layers, '/pw')!.host, 'utf8'), 'mid');
    assert.is(resolveInLayers(layers, '/opt/x'), null);
    assert.is(resolveInLayers(layers, '/usr/bin/../bin/tool')?.host, join(base, 'usr/bin/tool'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prepareMountTargets makes missing targets in the upper dir with the parents\' mode and owner copied up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-mt-'));
  try {
    const upper = join(dir, 'upper');
    const base = join(dir, 'base');
    mkdirSync(upper);
    mkdirSync(join(base, 'home/app'), { recursive: true });
    chmodSync(join(base, 'home/app'), 0o700);
    execFileSync('chown', ['1234:5678', join(base, 'home/app')]);
    symlinkSync('/home/app', join(base, 'data'));
    writeFileSync(join(dir, 'src.txt'), 'x');
    prepareMountTargets(upper, [base], [
      { destination: '/home/app/cache', type: 'bind', source: dir },
      { destination: '/data/conf.txt', type: 'bind', source: join(dir, 'src.txt') },
      { destination: '/proc', type: 'proc', source: 'proc' },
    ]);
    const st = execFileSync('stat', ['-c', '%a %u %g', join(upper, 'home/app')], { encoding: 'utf8' }).trim();
    assert.is(st, '700 1234 5678');
    assert.ok(readFileSync(join(upper, 'home/app/conf.txt'), 'utf8') === '', 'a file target for a file source, through the image\'s symlink');
    assert.ok(execFileSync('stat', ['-c', '%F', join(upper, 'home/app/cache')], { encoding: 'utf8' }).startsWith('directory'));
    assert.ok(execFileSync('stat', ['-c', '%F', join(upper, 'proc')], { encoding: 'utf8' }).startsWith('directory'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
