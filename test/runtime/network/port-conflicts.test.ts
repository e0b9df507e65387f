import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findPortClash, parsePortmapRules, parseSsOwner, portInUseError, portsClash } from '../../../src/runtime/network/port-conflicts.js';
import type { PortSpec } from '../../../src/config/unit-spec.js';

const p = (hostIp: string, hostPort: number, protocol: 'tcp' | 'udp' = 'tcp'): PortSpec => ({ hostIp, hostPort, containerPort: 80, protocol });

const clashCases: [PortSpec, PortSpec, boolean][] = [
  [p('127.0.0.1', 8080), p('127.0.0.1', 8080), true],
  [p('0.0.0.0', 8080), p('127.0.0.1', 8080), true],
  [p('127.0.0.1', 8080), p('0.0.0.0', 8080), true],
  [p('127.0.0.1', 8080), p('127.0.0.2', 8080), false],
  [p('127.0.0.1', 8080), p('127.0.0.1', 8081), false],
  [p('127.0.0.1', 8080, 'udp'), p('127.0.0.1', 8080, 'tcp'), false],
];
for (const [a, b, want] of clashCases) {
  test(`clash ${a.hostIp}:${a.hostPort}/${a.protocol} vs ${b.hostIp}:${b.hostPort}/${b.protocol} = ${want}`, () => {
    assert.is(portsClash(a, b), want);
  });
}

test('findPortClash names the holder, and catches a duplicate within one request', () => {
  assert.equal(findPortClash([p('127.0.0.1', 80)], [{ ...p('0.0.0.0', 80), by: 'container web' }]), { port: p('127.0.0.1', 80), by: 'container web' });
  assert.match(findPortClash([p('127.0.0.1', 80), p('0.0.0.0', 80)], [])!.by, /same instance/);
  assert.is(findPortClash([p('127.0.0.1', 80)], []), undefined);
});

test('the error says which port, who holds it, and what to do', () => {
  const err = portInUseError(p('127.0.0.1', 8080), 'process node (pid 7)');
  assert.is(err.code, 'E_PORT_IN_USE');
  assert.is(err.message, 'port 127.0.0.1:8080/tcp is already in use by process node (pid 7)');
  assert.match(err.hint!, /127\.0\.0\.1:8081:80/);
});

test('portmap rules in iptables-save are read back with their owner', () => {
  const save = [
    '-A CNI-DN-f73c72f43b4d65a3b7a1e -s 10.89.250.0/24 -d 127.0.0.1/32 -p tcp -m tcp --dport 18080 -j CNI-HOSTPORT-SETMARK',
    '-A CNI-DN-f73c72f43b4d65a3b7a1e -d 127.0.0.1/32 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 10.89.250.2:80',
    '-A CNI-DN-f73c72f43b4d65a3b7a1e -p udp -m udp --dport 53 -j DNAT --to-destination 10.89.250.2:53',
    '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"bt-exp\\" id: \\"c1\\"" -m multiport --dports 18080 -j CNI-DN-f73c72f43b4d65a3b7a1e',
  ].join('\n');
  assert.equal(parsePortmapRules(save), [
    { hostIp: '127.0.0.1', hostPort: 18080, protocol: 'tcp', by: 'container c1 (CNI network bt-exp)' },
    { hostIp: '0.0.0.0', hostPort: 53, protocol: 'udp', by: 'container c1 (CNI network bt-exp)' },
  ]);
});

test('ss owner', () => {
  assert.is(parseSsOwner('LISTEN 0 511 127.0.0.1:8080 0.0.0.0:* users:(("node",pid=1234,fd=20))'), 'process node (pid 1234)');
  assert.is(parseSsOwner(''), undefined);
});

test.run();
