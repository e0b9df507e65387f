/**
 * VM units through a real agent (unit files with `kind: vm`): a guest that
 * crashes (`exit 3`) is restarted per its policy with the code in the
 * ledger; a service VM (on the default berth network, with an exec health
 * check) turns healthy, answers `berth exec`, survives `kill -9` of the
 * agent and is re-attached over its QMP socket (same QEMU pid).
 */
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventOf } from '../../../src/supervisor/events.js';
import { processesMentioning, startAgentProcess, uniqueName, type AgentProcess } from '../../helpers/agent-process.js';
import { vmNetnsName } from '../../../src/runtime/vm/vm-network.js';
import { requireVmTools } from './setup.js';

requireVmTools();

const unit = (name: string, command: string, restart: string, more: string[] = []) => [
  `name: ${name}`, 'kind: vm', 'image: { from: busybox }', `run: { command: ${JSON.stringify(command)} }`,
  'vm: { cpus: 1, memory: 192Mi }', `restart: ${restart}`, 'stop: { timeout: 2s }', ...more, '',
].join('\n');

test('vm units: crash → restart per policy; agent kill -9 → the VM keeps running and is re-attached', async () => {
  const crash = uniqueName('crash');
  const svc = uniqueName('svc');
  let a: AgentProcess | undefined;
  const instances: string[] = [];
  try {
    a = await startAgentProcess({
      units: {
        [`${crash}.yaml`]: unit(crash, 'echo going down; exit 3', '{ policy: on-failure, delay: 100ms, burst: 2, within: 10m, cooldown: 10m }'),
        [`${svc}.yaml`]: unit(svc, 'touch /tmp/up; while :; do echo tick; sleep 1; done', '{ policy: always }', ['health: { exec: [test, -f, /tmp/up], every: 1s, timeout: 20s }']),
      },
      waitApply: false,
    });
    const agent = a;
    const mine = (name: string) => (e: BerthEvent) => 'unit' in e && e.unit === name;

    const first = await agent.waitEvent((e) => mine(crash)(e) && e.type === 'unit.exited', 240_000) as EventOf<'unit.exited'>;
    assert.is(first.code, 3, JSON.stringify(first));
    assert.ok(first.lastLogLines.includes('going down'), JSON.stringify(first.lastLogLines));
    const restarting = await agent.waitEvent((e) => mine(crash)(e) && e.type === 'unit.restarting', 30_000) as EventOf<'unit.restarting'>;
    assert.is(restarting.cause, 'exit');
    const second = await agent.waitEvent((e) => mine(crash)(e) && e.type === 'unit.exited' && e.seq > first.seq, 240_000) as EventOf<'unit.exited'>;
    assert.is(second.code, 3);
    assert.is.not(second.instance, first.instance, 'a new VM each time');
    instances.push(first.instance!, second.instance!);

    const running = await agent.waitUnit(svc, (u) => u.state === 'healthy' && !!u.pid, 240_000);
    const qemuPid = running.pid!;
    instances.push(running.instance!);
    assert.ok(existsSync(`/run/netns/${vmNetnsName(running.instance!)}`), 'the service VM is on the default berth network');
    const ex = await agent.cli(['exec', svc, '--', 'sh', '-c', 'hostname; grep -c . /etc/hosts']);
    assert.is(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, new RegExp(`^${svc}\\n\\d+\\n$`), 'berth exec runs in the guest, whose hosts file comes from the berth network');
    await agent.kill('SIGKILL');
    assert.ok(processesMentioning(`${agent.root}/vm/instances/${running.instance}/`).includes(qemuPid), 'QEMU outlived the agent');
    await agent.start({ waitApply: false });
    const back = await agent.waitUnit(svc, (u) => u.state === 'running' || u.state === 'healthy', 60_000);
    assert.is(back.instance, running.instance, 'the same VM, re-attached');
    assert.is(back.pid, qemuPid);
    const inspect = await agent.cli(['inspect', svc]);
    assert.is(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /"accelWhy": "(tcg|kvm): /, 'the unit status says which accelerator and why');
  } finally {
    const left = await a?.cleanup();
    assert.equal(left ?? [], [], 'nothing left behind');
    assert.equal(instances.filter((id) => existsSync(`/run/netns/${vmNetnsName(id)}`)), [], 'no VM netns left');
  }
});

test.run();
