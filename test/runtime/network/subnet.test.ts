import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allocateSubnet, checkSubnet, gatewayOf, overlaps, parseCidr } from '../../../src/runtime/network/subnet.js';
import { bridgeName, buildConfList } from '../../../src/runtime/network/network-config.js';

test('parseCidr accepts network addresses only', () => {
  assert.equal(parseCidr('10.89.3.0/24'), { base: (10 * 256 ** 3) + 89 * 65536 + 3 * 256, prefix: 24 });
  for (const bad of ['10.89.3.1/24', '10.89.3.0', '10.89.3.0/33', '10.300.0.0/16', 'x/24', '10.89.3.0/24/1']) assert.is(parseCidr(bad), undefined, bad);
});

test('overlaps', () => {
  const c = (s: string) => parseCidr(s)!;
  assert.ok(overlaps(c('10.89.0.0/16'), c('10.89.7.0/24')));
  assert.ok(!overlaps(c('10.89.7.0/24'), c('10.89.8.0/24')));
  assert.ok(overlaps(c('0.0.0.0/0'), c('10.89.8.0/24')));
});

test('allocation is stable per name, in the pool, and skips taken subnets', () => {
  const a = allocateSubnet('web', []);
  assert.is(allocateSubnet('web', []), a);
  assert.match(a, /^10\.89\.\d+\.0\/24$/);
  assert.is.not(allocateSubnet('web', [a]), a);
  assert.is.not(allocateSubnet('other', []), undefined);
});

test('a full pool is an error with a hint', () => {
  try {
    allocateSubnet('web', ['10.89.0.0/16']);
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'E_NET_POOL_FULL');
  }
});

test('declared subnets: malformed and overlapping ones are refused', () => {
  checkSubnet('n', '10.89.7.0/24', [{ what: 'network a', cidr: '10.89.8.0/24' }]);
  const codes = ['10.89.7.1/24', '10.0.0.0/31'].map((s) => {
    try { checkSubnet('n', s, []); return 'ok'; } catch (e) { return (e as { code: string }).code; }
  });
  assert.equal(codes, ['E_NET_SUBNET', 'E_NET_SUBNET']);
  try {
    checkSubnet('n', '10.89.0.0/16', [{ what: 'host route on eth0', cidr: '10.89.8.0/24' }]);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /overlaps 10.89.8.0\/24 \(host route on eth0\)/);
  }
});

test('gateway is the first host address', () => {
  assert.is(gatewayOf('10.89.7.0/24'), '10.89.7.1');
});

test('bridge names fit IFNAMSIZ and differ per state dir', () => {
  assert.is(bridgeName('default', '/var/lib/berth'), 'berth-default');
  const names = [
    bridgeName('default', '/tmp/x'),
    bridgeName('default', '/tmp/y'),
    bridgeName('a-very-long-network-name', '/var/lib/berth'),
    bridgeName('with.dots', '/var/lib/berth'),
  ];
  for (const n of names) assert.ok(n.length <= 15 && /^berth-[a-z0-9-]+$/.test(n), n);
  assert.is.not(names[0], names[1]);
});

test('conflist chains bridge (gateway, masq, hairpin, host-local in our data dir) and portmap', () => {
  const l = buildConfList({ name: 'n', subnet: '10.89.7.0/24', gateway: '10.89.7.1', bridge: 'berth-n', declared: false }, '/s/network/ipam');
  assert.equal(l.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal([l.plugins[0]!.isGateway, l.plugins[0]!.ipMasq, l.plugins[0]!.hairpinMode], [true, true, true]);
  assert.is((l.plugins[0]!.ipam as { dataDir: string }).dataDir, '/s/network/ipam');
  assert.equal(l.plugins[1]!.capabilities, { portMappings: true });
});

test.run();
