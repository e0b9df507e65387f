/**
 * exec into a running micro-VM (real QEMU, TCG; one boot): output and exit
 * code, stdin, env/workdir/user, the unit's own env, a signal, a timeout,
 * two execs at once; a paused guest is refused; nothing left in the share.
 * The unit's own command runs as its `user`. A symlink the guest makes in
 * the exec share is a plain file on the host.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriverError } from '../../../src/errors.js';
import { makeVmDriver, requireVmTools, vmSpec } from './setup.js';

requireVmTools();

test('exec in a micro-VM: output, code, stdin, env, workdir, user, signal, timeout, queueing, paused', async () => {
  const { driver, cleanup } = makeVmDriver();
  try {
    const h = await driver.start(vmSpec('id -u > /tmp/unit-uid; while :; do sleep 1; done', { env: { PATH: '/bin:/sbin', UNIT_VAR: 'from-unit' }, user: 'nobody' }));
    const r = await driver.exec(h, ['sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(r, { code: 7, signal: null, stdout: 'out\n', stderr: 'err\n' });
    assert.equal((await driver.exec(h, ['cat'], { input: 'typed in\n' })).stdout, 'typed in\n');
    assert.is((await driver.exec(h, ['cat', '/tmp/unit-uid'])).stdout, '65534\n', "the unit's command runs as its user");
    const who = await driver.exec(h, ['sh', '-c', 'echo "$FOO $UNIT_VAR $(pwd) $(id -u)"'], { env: { FOO: "it's" }, workdir: '/tmp', user: 'nobody' });
    assert.is(who.stdout, "it's from-unit /tmp 65534\n", who.stderr);
    assert.equal(await driver.exec(h, ['sh', '-c', 'kill -TERM $$']), { code: null, signal: 'SIGTERM', stdout: '', stderr: '' });
    const t0 = Date.now();
    const slow = await driver.exec(h, ['sleep', '30'], { timeoutMs: 500 });
    assert.is(slow.signal, 'SIGKILL', 'a timeout kills the command');
    assert.ok(Date.now() - t0 < 20_000);
    const [a, b] = await Promise.all([driver.exec(h, ['echo', 'a']), driver.exec(h, ['echo', 'b'])]);
    assert.equal([a.stdout, b.stdout], ['a\n', 'b\n']);
    const missing = await driver.exec(h, ['no-such-command']);
    assert.is(missing.code, 127, JSON.stringify(missing));
    assert.equal(readdirSync(join(h.data.dir as string, 'exec')), [], 'every exec folder is removed');
    // the guest is root in its share; what it makes there must not be a symlink on the host
    assert.is((await driver.exec(h, ['ln', '-s', '/etc/shadow', '/.berth/exec/evil'])).code, 0);
    assert.not.ok(lstatSync(join(h.data.dir as string, 'exec', 'evil')).isSymbolicLink(), 'a guest symlink is a plain file on the host');
    await driver.pause(h);
    const err = await driver.exec(h, ['true']).then(() => undefined, (e: DriverError) => e);
    assert.is(err?.code, 'E_VM_PAUSED');
    await driver.unpause(h);
    assert.is((await driver.exec(h, ['true'])).code, 0, 'after unpause');
    await driver.destroy(h);
  } finally {
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test.run();
