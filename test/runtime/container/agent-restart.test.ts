/**
 * The agent dies hard (SIGKILL to its whole process group) right after
 * starting a container; a new agent process recovers it from the saved
 * Handle. The container kept running (conmon is in its own session, not the
 * agent's child), its log kept being written, and wait() resolves on exit.
 */
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Handle } from '../../../src/runtime/driver.js';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools, until } from './setup.js';

requireContainerTools();
const test = suite('container survives the agent');
const { root, cleanup } = makeDriver();
test.after(() => cleanup());

const AGENT = `
  const { ContainerDriver } = await import(${JSON.stringify(new URL('../../../src/runtime/container/driver.ts', import.meta.url).pathname)});
  const spec = JSON.parse(process.argv[1]);
  const h = await new ContainerDriver({ root: spec.root }).start(spec.spec);
  process.stdout.write(JSON.stringify(h) + '\\n');
  setInterval(() => {}, 1000); // an agent keeps running until killed
`;

test('SIGKILL the agent process group: the container keeps running and is recovered by a new agent', async () => {
  const spec = busyboxSpec(['/fixtures/counter', '20000']);
  const agent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', AGENT, JSON.stringify({ root, spec })], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const handle = await new Promise<Handle>((resolve, reject) => {
    let out = '';
    agent.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out) as Handle);
    });
    agent.on('exit', (code) => reject(new Error(`agent exited ${code} before starting the container`)));
  });
  const reborn = new ContainerDriver({ root, pollMs: 200 });
  try {
    const counts = () => logLines(handle.logPath).filter((l) => l.startsWith('count ')).length;
    assert.ok(await until(() => counts() >= 2));
    process.kill(-agent.pid!, 'SIGKILL');
    await new Promise((r) => agent.once('close', r));
    const before = counts();
    assert.ok(await until(() => counts() > before + 5), 'the log keeps growing after the agent died');
    const again = await reborn.recover(handle);
    assert.ok(again);
    assert.equal((await reborn.inspect(again!)).state, 'running');
    const waiting = reborn.wait(again!);
    await reborn.stop(again!, 'SIGTERM', 3000);
    assert.equal((await waiting).code, 0);
  } finally {
    await reborn.destroy(handle);
  }
  assert.equal(leftovers(spec.id, root), []);
});

test.run();
