/**
 * The test helper's cleanup: a network member that is not a container (as a
 * VM's namespace is) no longer keeps the default network — its bridge and
 * BERTH-ISOLATE rules — on the host after the test root is removed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CniNetworker } from '../../src/runtime/network/cni-networker.js';
import { removeLeftovers } from './agent-process.js';
import { requireRoot, requireTool } from './require-tool.js';

test('removeLeftovers removes the default network even with a non-container member left', async () => {
  requireRoot();
  for (const tool of ['ip', 'iptables']) requireTool(tool);
  if (!existsSync('/usr/lib/cni/bridge')) throw new Error('this test needs /usr/lib/cni/bridge\nhint: install containernetworking-plugins (scripts/setup)');
  const root = mkdtempSync(join(tmpdir(), 'bt-leftover-'));
  const id = `bt-vm-${randomBytes(3).toString('hex')}`;
  const ns = `berth-${id}`;
  const net = new CniNetworker({ root });
  let bridge = '';
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    await net.attach({ id, netnsPath: `/run/netns/${ns}`, networks: ['default'], ports: [], hostname: id, aliases: [id] });
    bridge = net.listNetworks()[0]!.bridge;
    assert.ok(existsSync(`/sys/class/net/${bridge}`), 'the bridge was made');
    await removeLeftovers(root);
    assert.not.ok(existsSync(`/sys/class/net/${bridge}`), `bridge ${bridge} removed`);
    assert.not.ok(existsSync(`/run/netns/${ns}`), 'the member\'s namespace removed');
    assert.not.match(execFileSync('iptables', ['-S'], { encoding: 'utf8' }), `berth:${bridge}`, 'no isolation rule left');
  } finally {
    if (existsSync(`/run/netns/${ns}`)) execFileSync('ip', ['netns', 'del', ns]);
    await net.cleanupLeftovers().catch(() => undefined);
    for (const n of net.listNetworks()) await net.removeNetwork(n.name).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
