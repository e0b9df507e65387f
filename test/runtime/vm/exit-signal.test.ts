/**
 * How a guest command ended, through the real /init and shim (two boots
 * side by side): killed by a signal reads as that signal with no code; an
 * explicit `exit 143` stays code 143.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logTexts, makeVmDriver, requireVmTools, vmSpec } from './setup.js';

requireVmTools();

test('a guest command killed by SIGTERM is reported as SIGTERM; exit 143 as code 143', async () => {
  const { driver, cleanup } = makeVmDriver();
  try {
    const [killed, exited] = await Promise.all([
      driver.start(vmSpec('echo dying; kill -TERM $$; sleep 5')),
      driver.start(vmSpec('exit 143')),
    ]);
    const [k, e] = await Promise.all([driver.wait(killed), driver.wait(exited)]);
    assert.equal({ code: k.code, signal: k.signal }, { code: null, signal: 'SIGTERM' }, logTexts(killed).join(' | '));
    assert.equal({ code: e.code, signal: e.signal }, { code: 143, signal: null }, logTexts(exited).join(' | '));
    assert.ok(logTexts(killed).includes('dying'));
    assert.not.ok(logTexts(killed).some((l) => l.includes('Command terminated')), "time's report stays out of the log");
    await driver.destroy(killed);
    await driver.destroy(exited);
  } finally {
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test.run();
