import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addConfList, runCachedConfList } from '../../../src/runtime/network/cni-chain.js';
import type { CniExec } from '../../../src/runtime/network/cni-exec.js';
import { BerthError } from '../../../src/errors.js';
import type { CniConfList, CniTarget } from '../../../src/runtime/network/cni-protocol.js';

const list: CniConfList = { cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'a' }, { type: 'b', capabilities: { portMappings: true } }] };
const target: CniTarget = { containerId: 'c', netns: '/run/netns/c', ifName: 'eth0', cniPath: ['/x'] };

function recorder(fail?: string) {
  const calls: { type: string; command: string; stdin: Record<string, unknown> }[] = [];
  const exec: CniExec = async (type, command, _t, stdin) => {
    calls.push({ type, command, stdin: JSON.parse(stdin) });
    if (type === fail) throw new BerthError('E_CNI', `${type} broke`);
    return JSON.stringify({ cniVersion: '1.0.0', ips: [{ address: `${type}/24` }] });
  };
  return { calls, exec };
}

test('ADD threads each result into the next plugin and returns the last', async () => {
  const r = recorder();
  const res = await addConfList(r.exec, list, target, { portMappings: [1] });
  assert.equal(r.calls.map((c) => `${c.command} ${c.type}`), ['ADD a', 'ADD b']);
  assert.is(r.calls[0]!.stdin.prevResult, undefined);
  assert.equal(r.calls[1]!.stdin.prevResult, { cniVersion: '1.0.0', ips: [{ address: 'a/24' }] });
  assert.equal(r.calls[1]!.stdin.runtimeConfig, { portMappings: [1] });
  assert.equal(res.ips, [{ address: 'b/24' }]);
});

test('ADD stops at the first failing plugin and throws its error', async () => {
  const r = recorder('a');
  try {
    await addConfList(r.exec, list, target);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /a broke/);
  }
  assert.is(r.calls.length, 1);
});

test('DEL runs in reverse with the cached result, goes on past a failure, then throws it', async () => {
  const r = recorder('b');
  const cached = { cniVersion: '1.0.0' };
  try {
    await runCachedConfList(r.exec, 'DEL', list, target, cached, { portMappings: [1] });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /b broke/);
  }
  assert.equal(r.calls.map((c) => `${c.command} ${c.type}`), ['DEL b', 'DEL a']);
  assert.equal(r.calls[1]!.stdin.prevResult, cached);
  assert.equal(r.calls[0]!.stdin.runtimeConfig, { portMappings: [1] });
});

test('DEL without a cached result sends no prevResult (after a crash during ADD)', async () => {
  const r = recorder();
  await runCachedConfList(r.exec, 'DEL', list, target, undefined);
  assert.ok(r.calls.every((c) => !('prevResult' in c.stdin)));
});

test('CHECK runs forward and stops at the first failure', async () => {
  const r = recorder('a');
  try {
    await runCachedConfList(r.exec, 'CHECK', list, target, { cniVersion: '1.0.0' });
    assert.unreachable();
  } catch {
    // expected
  }
  assert.equal(r.calls.map((c) => `${c.command} ${c.type}`), ['CHECK a']);
});

test.run();
