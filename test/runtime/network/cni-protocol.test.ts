import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addressOf,
  buildCniEnv,
  buildPluginStdin,
  CniError,
  hostVethOf,
  negotiateVersion,
  parseCniError,
  parseCniResult,
  pluginOrder,
  type CniConfList,
  type CniResult,
} from '../../../src/runtime/network/cni-protocol.js';

const list: CniConfList = {
  cniVersion: '1.0.0',
  name: 'net1',
  plugins: [
    { type: 'bridge', bridge: 'berth-net1', ipam: { type: 'host-local' } },
    { type: 'portmap', capabilities: { portMappings: true }, snat: true },
  ],
};

const result: CniResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'berth-net1', mac: 'aa' }, { name: 'veth1234', mac: 'bb' }, { name: 'eth0', mac: 'cc', sandbox: '/run/netns/x' }],
  ips: [{ interface: 2, address: '10.89.3.2/24', gateway: '10.89.3.1' }],
};

test('env carries the CNI_* parameters, CNI_PATH joined with ":"', () => {
  assert.equal(buildCniEnv('ADD', { containerId: 'c1', netns: '/run/netns/x', ifName: 'eth0', cniPath: ['/usr/lib/cni', '/opt/cni/bin'] }), {
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'c1',
    CNI_NETNS: '/run/netns/x',
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
  });
});

const stdinCases: { what: string; index: number; prev?: CniResult; rc?: Record<string, unknown>; expect: Record<string, unknown> }[] = [
  {
    what: 'first plugin: name and cniVersion injected, no prevResult, no runtimeConfig without capability',
    index: 0,
    rc: { portMappings: [{ hostPort: 8080 }] },
    expect: { type: 'bridge', bridge: 'berth-net1', ipam: { type: 'host-local' }, cniVersion: '1.0.0', name: 'net1' },
  },
  {
    what: 'chained plugin: prevResult threaded, runtimeConfig restricted to declared capabilities',
    index: 1,
    prev: result,
    rc: { portMappings: [{ hostPort: 8080 }], bandwidth: { rate: 1 } },
    expect: {
      type: 'portmap', capabilities: { portMappings: true }, snat: true, cniVersion: '1.0.0', name: 'net1',
      runtimeConfig: { portMappings: [{ hostPort: 8080 }] }, prevResult: result,
    },
  },
  {
    what: 'capability declared but nothing to pass: no runtimeConfig key',
    index: 1,
    expect: { type: 'portmap', capabilities: { portMappings: true }, snat: true, cniVersion: '1.0.0', name: 'net1' },
  },
];
for (const c of stdinCases) {
  test(`stdin: ${c.what}`, () => {
    assert.equal(JSON.parse(buildPluginStdin(list, c.index, c.prev, c.rc)), c.expect);
  });
}

test('order: ADD and CHECK forward, DEL reverse', () => {
  assert.equal(pluginOrder('ADD', list), [0, 1]);
  assert.equal(pluginOrder('CHECK', list), [0, 1]);
  assert.equal(pluginOrder('DEL', list), [1, 0]);
});

test('parseCniResult accepts a result and rejects garbage with E_CNI_RESULT', () => {
  assert.equal(parseCniResult('bridge', JSON.stringify(result)), result);
  for (const bad of ['not json', '{"ips":[]}']) {
    try {
      parseCniResult('bridge', bad);
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code: string }).code, 'E_CNI_RESULT');
    }
  }
});

const errorCases: { what: string; stdout: string; stderr?: string; code: string; cniCode?: number; msg: RegExp; hint: RegExp }[] = [
  { what: 'CNI error JSON with details', stdout: '{"code":7,"msg":"invalid subnet","details":"bogus"}', code: 'E_CNI', cniCode: 7, msg: /bridge ADD failed \(code 7\): invalid subnet: bogus/, hint: /subnet/ },
  { what: 'netns message', stdout: '{"code":999,"msg":"failed to open netns \\"/run/netns/x\\""}', code: 'E_CNI', cniCode: 999, msg: /failed to open netns/, hint: /namespace is missing/ },
  { what: 'iptables message', stdout: '{"code":999,"msg":"running [/usr/sbin/iptables -t nat] failed"}', code: 'E_CNI', cniCode: 999, msg: /iptables/, hint: /iptables/ },
  { what: 'try again later', stdout: '{"code":11,"msg":"busy"}', code: 'E_CNI', cniCode: 11, msg: /busy/, hint: /retry/ },
  { what: 'not JSON: stderr used', stdout: '', stderr: 'segfault', code: 'E_CNI', msg: /bridge ADD failed: segfault/, hint: /containernetworking-plugins/ },
];
for (const c of errorCases) {
  test(`error: ${c.what}`, () => {
    const err = parseCniError('bridge', 'ADD', c.stdout, c.stderr ?? '', 1);
    assert.is(err.code, c.code);
    assert.match(err.message, c.msg);
    assert.match(err.hint ?? '', c.hint);
    if (c.cniCode !== undefined) {
      assert.ok(err instanceof CniError);
      assert.is((err as CniError).cniCode, c.cniCode);
    }
  });
}

test('addressOf and hostVethOf read the sandbox interface and the host veth', () => {
  assert.equal(addressOf(result, 'eth0'), { ip: '10.89.3.2', prefix: 24, gateway: '10.89.3.1', mac: 'cc' });
  assert.is(hostVethOf(result, 'berth-net1'), 'veth1234');
  assert.is(addressOf({ cniVersion: '1.0.0' }, 'eth0'), undefined);
});

const v = (...vs: string[]) => JSON.stringify({ cniVersion: '1.0.0', supportedVersions: vs });
const versionCases: [string, Record<string, string>, string | undefined][] = [
  ['all speak 1.0.0', { bridge: v('0.4.0', '1.0.0'), portmap: v('0.4.0', '1.0.0') }, '1.0.0'],
  ['one is older: 0.4.0', { bridge: v('0.4.0', '1.0.0'), portmap: v('0.3.1', '0.4.0') }, '0.4.0'],
  ['nothing common', { bridge: v('0.3.1'), portmap: v('0.4.0') }, undefined],
  ['garbage reply', { bridge: 'oops' }, undefined],
];
for (const [what, replies, want] of versionCases) {
  test(`negotiateVersion: ${what}`, () => assert.is(negotiateVersion(replies), want));
}

test.run();
