/**
 * `init: true` (docker run --init): tini is PID 1 and the command its child,
 * so a command that ignores SIGTERM as PID 1 (busybox httpd) stops on
 * SIGTERM at once; without it, stop has to wait for the timeout and kill.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxSpec, leftovers, makeDriver, requireContainerTools } from './setup.js';

requireContainerTools();
const test = suite('container init');
const { driver, root, cleanup } = makeDriver();

test.after(() => cleanup());

test('with init, httpd is not PID 1 and stops on SIGTERM; without, SIGTERM is ignored until the kill', async () => {
  const withInit = busyboxSpec(['httpd', '-f', '-p', '8080'], { init: true });
  const h = await driver.start(withInit);
  try {
    const ps = await driver.exec(h, ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; pidof httpd']);
    assert.match(ps.stdout, /^\/dev\/init -- httpd -f -p 8080 \n\d+\n$/);
    assert.not.match(ps.stdout, /\n1\n$/, 'httpd is not PID 1');
    const t0 = Date.now();
    const exit = await driver.stop(h, 'SIGTERM', 5000);
    assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
    assert.ok(exit.code === 143 || exit.signal === 'SIGTERM', JSON.stringify(exit));
  } finally {
    await driver.destroy(h);
  }
  assert.equal(leftovers(withInit.id, root), []);

  const bare = busyboxSpec(['httpd', '-f', '-p', '8080']);
  const b = await driver.start(bare);
  try {
    const t0 = Date.now();
    const exit = await driver.stop(b, 'SIGTERM', 800);
    assert.ok(Date.now() - t0 >= 750, 'PID 1 ignored SIGTERM: stop waited for its timeout');
    assert.ok(exit.signal === 'SIGKILL' || exit.code === 137, JSON.stringify(exit));
  } finally {
    await driver.destroy(b);
  }
});

test.run();
