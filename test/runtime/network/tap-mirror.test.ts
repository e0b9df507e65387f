/**
 * The tap mirror's pure parts: the ip/tc commands (tap made in the
 * namespace, ingress qdiscs, u32 mirred redirects both ways) and the
 * reading of `ip -j addr`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseIpAddrJson, tapMirrorCommands } from '../../../src/runtime/network/tap-mirror.js';

test('commands: tap in the namespace with the MTU of the CNI interface, redirect both ways', () => {
  const c = tapMirrorCommands('ns1', 'eth0', 'tap0', 1450);
  assert.equal(c[0], ['ip', '-n', 'ns1', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
  assert.equal(c[1], ['ip', '-n', 'ns1', 'link', 'set', 'dev', 'tap0', 'mtu', '1450', 'up']);
  const redirects = c.filter((a) => a.includes('mirred')).map((a) => `${a[a.indexOf('dev') + 1]}->${a[a.length - 1]}`);
  assert.equal(redirects, ['eth0->tap0', 'tap0->eth0']);
  assert.ok(c.every((a) => a.includes('ns1')), 'every command runs in the namespace');
  assert.ok(c.findIndex((a) => a.includes('ingress') && a.includes('eth0')) < c.findIndex((a) => a.includes('mirred')), 'qdiscs first');
});

test('ip -j addr: MAC, MTU and the IPv4 address with its prefix', () => {
  const json = JSON.stringify([{ ifname: 'eth0', mtu: 1500, address: '0a:58:0a:59:01:05', addr_info: [
    { family: 'inet6', local: 'fe80::1', prefixlen: 64 }, { family: 'inet', local: '10.89.1.5', prefixlen: 24 },
  ] }]);
  assert.equal(parseIpAddrJson(json), [{ name: 'eth0', mac: '0a:58:0a:59:01:05', mtu: 1500, cidr: '10.89.1.5/24' }]);
  assert.equal(parseIpAddrJson('[{"ifname":"tap0"}]'), [{ name: 'tap0', mac: '', mtu: 1500, cidr: '' }]);
});

test.run();
