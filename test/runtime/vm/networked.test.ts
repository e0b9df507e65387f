/**
 * A micro-VM on two berth networks (real CNI, real QEMU under TCG), beside
 * busybox containers: the VM reaches a container started after it by unit
 * name (its hosts file follows the network live), a container reaches the
 * VM by unit name, a port published on 127.0.0.1 reaches the guest through
 * portmap. Then a crash-style destroy (only the id known) removes the
 * namespace, tap, veth, IPAM lease and hosts entries. One boot. A failing
 * attach leaves nothing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { teardown } from '../../../src/runtime/container/teardown.js';
import type { Handle, InstanceSpec } from '../../../src/runtime/driver.js';
import { BerthError, DriverError } from '../../../src/errors.js';
import { CniNetworker } from '../../../src/runtime/network/cni-networker.js';
import type { Networker } from '../../../src/runtime/network/networker.js';
import { VmDriver } from '../../../src/runtime/vm/driver.js';
import { vmNetnsName } from '../../../src/runtime/vm/vm-network.js';
import { busyboxLayer } from '../../helpers/busybox-layer.js';
import { requireTool } from '../../helpers/require-tool.js';
import { freePort, logTexts, makeVmDriver, pidsMentioning, requireVmTools, until, vmSpec } from './setup.js';

requireVmTools();
requireTool('conmon');
requireTool('tc', 'apt-get install iproute2 (scripts/setup does)');
requireTool('nsenter', 'apt-get install util-linux');
requireTool('iptables');

const hex = randomBytes(3).toString('hex');

function containerSpec(unit: string, script: string, net: string, mounts: InstanceSpec['mounts'] = []): InstanceSpec {
  const id = `bt-${randomBytes(4).toString('hex')}`;
  return { id, unit, layers: [busyboxLayer()], argv: ['sh', '-c', script], env: {}, hostname: unit, resources: {}, mounts, network: { attach: [net], ports: [] } };
}

const links = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });

test('a VM and containers on one berth network talk by unit name; a published port reaches the guest; destroy leaves nothing', async () => {
  let networker!: CniNetworker;
  const { driver, root, cleanup } = makeVmDriver();
  const vmd = new VmDriver({ root, networker: (networker = new CniNetworker({ root })) });
  const ctd = new ContainerDriver({ root, networker, pollMs: 100 });
  const net = `bt${hex}`;
  const net2 = `bu${hex}`;
  const cts: Handle[] = [];
  let vm: Handle | undefined;
  try {
    await networker.ensureNetwork({ name: net });
    await networker.ensureNetwork({ name: net2 });
    const bridge = networker.listNetworks().find((n) => n.name === net)!.bridge;
    const port = await freePort();
    const spec = vmSpec([
      `mkdir -p /www; echo hello-vm-${hex} > /www/index.html; httpd -p 80 -h /www`,
      `until wget -qO- http://late${hex}:8080/; do sleep 0.3; done`,
      'while :; do sleep 1; done',
    ].join('; '), { unit: `vm${hex}`, hostname: `vm${hex}`, network: { attach: [net, net2], ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }] } });
    vm = await vmd.start(spec);
    const st = await vmd.inspect(vm);
    assert.match(st.addresses?.[net] ?? '', /^10\.89\.\d+\.\d+$/, JSON.stringify(st));
    assert.not.ok((st.detail?.ignoredInVm as string[] | undefined)?.length, 'networks are honoured');
    const ips = await vmd.exec(vm, ['sh', '-c', 'ip -4 -o addr show | grep -v " lo "; ip route show default']);
    for (const n of [net, net2]) assert.ok(ips.stdout.includes(`inet ${st.addresses?.[n]}/`), `the guest has its ${n} address: ${ips.stdout}`);
    const gw = networker.listNetworks().find((n) => n.name === net)!.gateway;
    assert.ok(ips.stdout.includes(`default via ${gw} `), `the default route goes via the first network's gateway ${gw}: ${ips.stdout}`);

    // the guest's httpd through portmap on 127.0.0.1 (also: it is up before a container asks for it)
    const body = await until('the guest httpd through portmap on 127.0.0.1', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
      return r.ok ? r.text() : undefined;
    }, 120_000);
    assert.is(body.trim(), `hello-vm-${hex}`);

    // a container started after the VM: the guest finds it by name only if its hosts file follows the network
    const www = join(root, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), `hello-ct-${hex}\n`);
    cts.push(await ctd.start(containerSpec(`late${hex}`, 'exec httpd -f -p 8080 -h /www', net, [{ type: 'bind', source: www, target: '/www', readonly: true }])));
    const client = await ctd.start(containerSpec(`client${hex}`, `for i in $(seq 1 40); do timeout 5 wget -qO- http://vm${hex}/ && exit 0; sleep 0.5; done; exit 1`, net));
    cts.push(client);
    const exit = await ctd.wait(client);
    const why = () => [`client: ${logTexts(client).slice(-3).join(' | ')}`, `vm: ${logTexts(vm!).slice(-5).join(' | ')}`,
      execFileSync('ip', ['-n', vmNetnsName(spec.id), '-s', 'link'], { encoding: 'utf8' }), execFileSync('tc', ['-n', vmNetnsName(spec.id), '-s', 'filter', 'show', 'dev', 'eth0', 'ingress'], { encoding: 'utf8' })].join('\n');
    assert.is(exit.code, 0, `the container reached the VM by unit name\n${why()}`);
    assert.ok(logTexts(client).includes(`hello-vm-${hex}`));
    await until('the VM reached the container by unit name', () => logTexts(vm!).includes(`hello-ct-${hex}`), 60_000);
    assert.match(links(), new RegExp(`master ${bridge}`), 'the VM and containers hang on the bridge');

    // as after an agent crash in the middle of a start: only the id is known
    const fresh = new VmDriver({ root, networker: new CniNetworker({ root }) });
    await fresh.destroy({ id: spec.id, unit: spec.unit, driver: 'vm', startedAt: 0, logPath: '', data: {} });
    assert.not.ok(existsSync(`/run/netns/${vmNetnsName(spec.id)}`), 'no netns (nor the tap in it)');
    assert.equal(pidsMentioning(`${root}/vm/`), [], 'no QEMU');
    assert.equal(pidsMentioning(spec.id), [], 'no process of the VM');
    assert.not.ok(readdirSync(join(root, 'network', 'hosts')).includes(spec.id), 'its hosts file is gone');
    vm = undefined;
    for (const h of cts) await ctd.destroy(h);
    cts.length = 0;
    assert.not.match(links(), new RegExp(`master ${bridge}`), 'no veth left on the bridge');
    assert.not.match(execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }), new RegExp(spec.id), 'no portmap/masquerade rule left');
  } finally {
    if (vm) await vmd.destroy(vm).catch(() => undefined);
    for (const h of cts) await teardown(root, h.id, await ctd.runtime(), networker).catch(() => undefined);
    await networker.removeNetwork(net).catch(() => undefined);
    await networker.removeNetwork(net2).catch(() => undefined);
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test('a failing attach leaves no namespace, no folder and no QEMU', async () => {
  const { root, cleanup } = makeVmDriver();
  const detached: string[] = [];
  const failing: Networker = {
    ensureNetwork: async () => undefined, removeNetwork: async () => undefined, hostsFile: (id) => join(root, id),
    attach: async () => { throw new BerthError('E_NET_UNKNOWN', 'network nowhere does not exist'); },
    detach: async (req) => { detached.push(req.id); },
  };
  try {
    const vmd = new VmDriver({ root, networker: failing });
    const spec = vmSpec('true', { network: { attach: ['nowhere'], ports: [] } });
    const err = await vmd.start(spec).then(() => undefined, (e: unknown) => e);
    assert.instance(err, DriverError);
    assert.match((err as Error).message, /network nowhere does not exist/);
    assert.is((err as DriverError).code, 'E_NET_UNKNOWN', 'the networker\'s code reaches the user');
    assert.equal(detached, [spec.id], 'detach ran for the half-made attach');
    assert.not.ok(existsSync(`/run/netns/${vmNetnsName(spec.id)}`), 'no namespace');
    assert.not.ok(existsSync(join(root, 'instances', spec.id)), 'no instance folder');
  } finally {
    assert.equal(await cleanup(), [], 'no QEMU');
  }
});

test.run();
