/**
 * A real, unmodified disk image booted through `vm.disk` (TCG, BIOS boot:
 * SeaBIOS → syslinux → Debian's kernel → the fixture's init, see
 * test/helpers/bootable-disk.ts):
 * - raw, through a real agent: the unit's rendered template and hostname
 *   reach the guest through the cloud-init seed; `berth stop` is graceful
 *   (ACPI power button → the guest powers off); the original image is not
 *   written although the guest wrote to its disk; nothing is left after.
 * - through the driver, two guests side by side: a qcow2 one powers off by
 *   itself with a code, which is the recorded exit (a fresh overlay each
 *   boot); a raw one that ignores the ACPI power button is quit over QMP
 *   after the stop timeout (exit: SIGKILL).
 * - a truncated qcow2: a clear error before QEMU starts, nothing left.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import { bootableDisk } from '../../helpers/bootable-disk.js';
import { processesMentioning, startAgentProcess, uniqueName, type AgentProcess } from '../../helpers/agent-process.js';
import { join, logTexts, makeVmDriver, pidsMentioning, requireVmTools, uniqueId, until, vmSpec } from './setup.js';

requireVmTools();
const disk = bootableDisk();
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const hashes = { raw: sha256(disk.raw), qcow2: sha256(disk.qcow2) };

/** Log texts of an instance folder's output.log. */
function instanceLog(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'output.log'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' '));
  } catch { return []; }
}

test('raw image through the agent: cloud-init seed (hostname, template), graceful ACPI stop, image untouched, nothing left', async () => {
  const name = uniqueName('disk');
  let a: AgentProcess | undefined;
  let instanceDir = '';
  try {
    a = await startAgentProcess({
      units: {
        [`${name}.yaml`]: [
          `name: ${name}`, 'kind: vm', `vm: { cpus: 1, memory: 192Mi, disk: ${disk.raw}, cloud_init: true }`,
          'templates: [ { src: motd.njk, dest: /etc/motd } ]', 'vars: { greeting: hello-from-the-template }',
          'restart: { policy: "no" }', 'stop: { timeout: 60s }', '',
        ].join('\n'),
        'motd.njk': '{{ greeting }} on {{ unit.name }}\n',
      },
      waitApply: false,
    });
    const agent = a;
    const started = Date.now();
    const up = await agent.waitUnit(name, (u) => u.state === 'running' && !!u.instance, 240_000);
    instanceDir = join(agent.root, 'vm', 'instances', up.instance!);
    const lines = await until('the guest waiting for ACPI', () => {
      const l = instanceLog(instanceDir);
      return l.some((t) => t.startsWith('BT-WAITING')) ? l : undefined;
    }, 240_000);
    const bootMs = Date.now() - started;
    console.log(`raw image: agent start → guest init waiting in ${bootMs} ms; ${lines.find((t) => t.startsWith('BT-INIT'))}`);
    assert.ok(lines.some((t) => t.startsWith('SYSLINUX ')), 'the image\'s own bootloader ran');
    assert.ok(lines.includes(`BT-HOSTNAME ${name}`), `hostname from the seed's meta-data:\n${lines.join('\n')}`);
    const file = lines.find((t) => t.startsWith('BT-FILE '));
    assert.is(file, 'BT-FILE /etc/motd', `the template is in user-data's write_files at its dest: ${file}`);
    assert.ok(lines.includes(`BT-CONTENT hello-from-the-template on ${name}`), `the rendered template's content reached the guest:\n${lines.join('\n')}`);
    assert.ok(lines.includes('BT-BOOTS 1'), 'the guest wrote to its own disk');
    assert.ok(existsSync(join(instanceDir, 'overlay.qcow2')) && existsSync(join(instanceDir, 'seed', 'user-data')), 'overlay and seed are in the instance folder');
    assert.is(pidsMentioning(instanceDir).length >= 1, true, 'QEMU runs');

    const t0 = Date.now();
    const stop = await agent.cli(['stop', name], 120_000);
    assert.is(stop.code, 0, stop.stderr);
    const stopped = await agent.waitUnit(name, (u) => u.state !== 'running' && !!u.lastExit, 60_000);
    assert.is(stopped.lastExit!.reason, 'stopped (manual)');
    console.log(`raw image: graceful stop (ACPI) took ${Date.now() - t0} ms`);
    assert.is(stopped.lastExit!.signal, null, `graceful: the guest powered off, berth did not quit QEMU (${JSON.stringify(stopped.lastExit)})`);
    assert.is(stopped.lastExit!.code, 0);
    const logs = await agent.cli(['logs', name]);
    assert.match(logs.stdout, 'BT-ACPI power button', `the guest saw the power button:\n${logs.stdout}${logs.stderr}`);
    assert.is(sha256(disk.raw), hashes.raw, 'the original raw image was not written');
  } finally {
    const left = await a?.cleanup();
    assert.equal(left ?? [], [], 'nothing left behind');
    if (instanceDir) {
      assert.equal(processesMentioning(instanceDir), [], 'no QEMU or shim left');
      assert.not.ok(existsSync(instanceDir), 'no overlay or seed left');
    }
  }
});

test('through the driver, side by side: qcow2 guest powers off with a code → the recorded exit; a guest that ignores ACPI is quit after the stop timeout', async () => {
  const { driver, root, cleanup } = makeVmDriver({ accel: { accel: 'tcg', why: 'tcg: test' }, bootTimeoutMs: 240_000 });
  const files = mkdtempSync(join(tmpdir(), 'bt-seedfiles-'));
  const deaf = mkdtempSync(join(tmpdir(), 'bt-seedfiles-'));
  try {
    mkdirSync(join(files, 'etc'));
    writeFileSync(join(files, 'etc', 'bt-exit'), '7\n');
    mkdirSync(join(deaf, 'etc'));
    writeFileSync(join(deaf, 'etc', 'bt-ignore-acpi'), '');
    const spec = (image: string, hostname: string, source: string) => vmSpec('', {
      layers: [], argv: [], hostname, disk: image, mounts: [{ type: 'bind', source, target: '/', readonly: true }],
      vm: { cpus: 1, memoryBytes: 192 << 20, disksBytes: [], cloudInit: true },
    });
    const coded = async () => {
      const started = Date.now();
      const handle = await driver.start(spec(disk.qcow2, 'qguest', files));
      const exit = await driver.wait(handle);
      const lines = logTexts(handle);
      console.log(`qcow2 image: start → poweroff in ${Date.now() - started} ms; ${lines.find((t) => t.startsWith('BT-INIT'))}`);
      assert.is(exit.code, 7, `the guest's code is the exit: ${JSON.stringify(exit)}\n${lines.join('\n')}`);
      assert.is(exit.signal, null);
      assert.ok(lines.includes('BT-HOSTNAME qguest'), lines.join('\n'));
      assert.ok(lines.includes('BT-FILE /etc/bt-exit'), lines.join('\n'));
      assert.ok(lines.includes('BT-BOOTS 1'), 'a fresh overlay: no earlier boot\'s write is seen');
      await driver.destroy(handle);
    };
    const ignoring = async () => {
      const handle = await driver.start(spec(disk.raw, 'deaf', deaf));
      await until('the guest ignoring ACPI', () => logTexts(handle).includes('BT-WAITING ignoring the ACPI power button'), 240_000);
      const t0 = Date.now();
      const exit = await driver.stop(handle, 'SIGTERM', 3000);
      const took = Date.now() - t0;
      console.log(`raw image ignoring ACPI: stop → forced quit after ${took} ms`);
      assert.is(exit.signal, 'SIGKILL', `berth quit QEMU after the timeout: ${JSON.stringify(exit)}`);
      assert.ok(took >= 3000 && took < 20_000, `after the 3 s stop timeout (${took} ms)`);
      await driver.destroy(handle);
    };
    await Promise.all([coded(), ignoring()]);
    assert.is(sha256(disk.qcow2), hashes.qcow2, 'the original qcow2 image was not written');
    assert.is(sha256(disk.raw), hashes.raw, 'the original raw image was not written');
    assert.equal(pidsMentioning(root), [], 'no QEMU or shim left');
    assert.equal(readdirSync(join(root, 'instances')), [], 'no overlay or seed left');
  } finally {
    rmSync(files, { recursive: true, force: true });
    rmSync(deaf, { recursive: true, force: true });
    assert.equal(await cleanup(), [], 'nothing to kill after the test');
  }
});

test('a truncated qcow2 image: a clear error before QEMU starts, nothing left', async () => {
  const { driver, root, cleanup } = makeVmDriver({ accel: { accel: 'tcg', why: 'tcg: test' } });
  const bad = join(root, 'truncated.qcow2');
  try {
    writeFileSync(bad, readFileSync(disk.qcow2).subarray(0, Math.min(statSync(disk.qcow2).size, 300_000)));
    const spec = vmSpec('', { id: uniqueId(), layers: [], argv: [], disk: bad, vm: { cpus: 1, memoryBytes: 192 << 20, disksBytes: [], cloudInit: true } });
    const err = await driver.start(spec).then(() => undefined, (e: unknown) => e);
    assert.instance(err, DriverError, String(err));
    const e = err as DriverError;
    assert.is(e.code, 'E_VM_DISK', e.message);
    assert.match(e.message, bad);
    assert.ok(e.hint && e.hint.length > 0);
    console.log(`truncated qcow2: ${e.message} (hint: ${e.hint})`);
    assert.equal(readdirSync(join(root, 'instances')), [], 'no instance folder left');
    assert.equal(pidsMentioning(root), [], 'no QEMU started');
  } finally {
    assert.equal(await cleanup(), [], 'nothing to kill after the test');
  }
});

test.run();
