/**
 * SIGTERM ends the agent cleanly: without --stop-on-exit its services keep
 * running (and a new agent re-attaches to the same instance); with
 * --stop-on-exit they are stopped before it exits.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processesMentioning, withAgent, uniqueName } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const service = (name: string, isolation: string) => [
  `name: ${name}`, 'kind: service', `isolation: ${isolation}`, ...(isolation === 'container' ? ['image: { from: busybox }', 'network: { attach: [] }'] : []),
  'stop: { timeout: 2s }', `run: { command: ["sleep", "1000"] }`, '',
].join('\n');

/** True while the pid is alive (and not a zombie). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

for (const stopOnExit of [false, true]) {
  test(`SIGTERM ${stopOnExit ? 'with --stop-on-exit stops services' : 'leaves services running'}`, async () => {
    requireRoot();
    requireTool('conmon');
    const id = uniqueName();
    const [ctr, proc] = [`${id}-ctr`, `${id}-proc`];
    await withAgent({ units: { 'c.yaml': service(ctr, 'container'), 'p.yaml': service(proc, 'process') }, args: stopOnExit ? ['--stop-on-exit'] : [] }, async (agent) => {
      const c = await agent.waitUnit(ctr, (u) => u.state === 'running' && !!u.pid, 60_000);
      const p = await agent.waitUnit(proc, (u) => u.state === 'running' && !!u.pid, 60_000);
      await agent.kill('SIGTERM');
      assert.is(agent.pid, 0, 'the agent exited');
      assert.match(agent.output(), /SIGTERM: agent stopping/);
      if (stopOnExit) {
        assert.not.ok(running(c.pid!), 'the container process was stopped');
        assert.not.ok(running(p.pid!), 'the host process was stopped');
        assert.equal(processesMentioning(`${agent.root}/`), [], 'no conmon or shim left');
      } else {
        assert.ok(running(c.pid!), 'the container keeps running');
        assert.ok(running(p.pid!), 'the host process keeps running');
        await agent.start({ waitApply: true, args: [] });
        const c2 = await agent.waitUnit(ctr, (u) => u.state === 'running', 30_000);
        const p2 = await agent.waitUnit(proc, (u) => u.state === 'running', 30_000);
        assert.is(c2.instance, c.instance, 're-attached to the same container');
        assert.is(p2.instance, p.instance, 're-attached to the same process');
        assert.is(c2.pid, c.pid);
      }
    });
  });
}

test.run();
