/**
 * A disk-image guest on a berth network: the cloud-init network-config
 * text (a table of pure cases), then a real boot (TCG) of the offline
 * bootable disk (test/helpers/bootable-disk.ts), whose /init applies the
 * seed's network-config with `ip` and serves a written page with httpd; a
 * busybox container on the same network fetches it by the VM's unit name.
 * Destroy leaves no namespace, tap, veth, hosts file or QEMU.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { teardown } from '../../../src/runtime/container/teardown.js';
import type { Handle, InstanceSpec } from '../../../src/runtime/driver.js';
import { CniNetworker } from '../../../src/runtime/network/cni-networker.js';
import { networkConfig, resolvConf, type SeedNetwork } from '../../../src/runtime/vm/cloud-init.js';
import { VmDriver } from '../../../src/runtime/vm/driver.js';
import { vmNetnsName } from '../../../src/runtime/vm/vm-network.js';
import { bootableDisk } from '../../helpers/bootable-disk.js';
import { busyboxLayer } from '../../helpers/busybox-layer.js';
import { requireTool } from '../../helpers/require-tool.js';
import { logTexts, makeVmDriver, pidsMentioning, requireVmTools, until, vmSpec } from './setup.js';

const cases: { name: string; net: SeedNetwork; want: unknown }[] = [
  {
    name: 'one NIC: MAC (lower case), address, default route, nameservers and search',
    net: { nics: [{ mac: '0A:58:0A:59:03:07', cidr: '10.89.3.7/24', gateway: '10.89.3.1' }], nameservers: ['10.89.3.1', '1.1.1.1'], search: ['corp.example'] },
    want: { version: 2, ethernets: { berth0: { match: { macaddress: '0a:58:0a:59:03:07' }, dhcp4: false, addresses: ['10.89.3.7/24'], routes: [{ to: 'default', via: '10.89.3.1' }], nameservers: { search: ['corp.example'], addresses: ['10.89.3.1', '1.1.1.1'] } } } },
  },
  {
    name: 'two NICs: only the first has the route and the nameservers',
    net: { nics: [{ mac: '0a:58:0a:59:03:07', cidr: '10.89.3.7/24', gateway: '10.89.3.1' }, { mac: '0a:58:0a:59:04:09', cidr: '10.89.4.9/24' }], nameservers: ['8.8.8.8'] },
    want: { version: 2, ethernets: {
      berth0: { match: { macaddress: '0a:58:0a:59:03:07' }, dhcp4: false, addresses: ['10.89.3.7/24'], routes: [{ to: 'default', via: '10.89.3.1' }], nameservers: { addresses: ['8.8.8.8'] } },
      berth1: { match: { macaddress: '0a:58:0a:59:04:09' }, dhcp4: false, addresses: ['10.89.4.9/24'] },
    } },
  },
  {
    name: 'no nameservers: no nameservers key',
    net: { nics: [{ mac: '12:34:56:12:34:56', cidr: '10.0.0.2/16', gateway: '10.0.0.1' }], nameservers: [] },
    want: { version: 2, ethernets: { berth0: { match: { macaddress: '12:34:56:12:34:56' }, dhcp4: false, addresses: ['10.0.0.2/16'], routes: [{ to: 'default', via: '10.0.0.1' }] } } },
  },
];

for (const c of cases) {
  test(`network-config: ${c.name}`, () => {
    assert.equal(parse(networkConfig(c.net)), c.want);
  });
}

test('network-config: MACs are quoted (cloud-init reads YAML 1.1, where 12:34:56:12:34:56 is a base-60 number)', () => {
  const text = networkConfig(cases[2]!.net);
  assert.match(text, 'macaddress: "12:34:56:12:34:56"');
  assert.equal(parse(text, { version: '1.1' }).ethernets.berth0.match.macaddress, '12:34:56:12:34:56');
});

test('resolv.conf: nameservers and search domains, comments and options ignored', () => {
  assert.equal(resolvConf('# generated\nnameserver 10.89.3.1\noptions ndots:1\nsearch a.example b.example\n  nameserver 1.1.1.1\n'),
    { nameservers: ['10.89.3.1', '1.1.1.1'], search: ['a.example', 'b.example'] });
  assert.equal(resolvConf(''), { nameservers: [], search: [] });
});

test('a disk-image guest joins a berth network through network-config; a container reaches its httpd by unit name; destroy leaves nothing', async () => {
  requireVmTools();
  requireTool('conmon');
  requireTool('tc', 'apt-get install iproute2 (scripts/setup does)');
  requireTool('nsenter', 'apt-get install util-linux');
  requireTool('iptables');
  const disk = bootableDisk();
  const hex = randomBytes(3).toString('hex');
  const { root, cleanup } = makeVmDriver();
  const networker = new CniNetworker({ root });
  const vmd = new VmDriver({ root, networker, accel: { accel: 'tcg', why: 'tcg: test' }, bootTimeoutMs: 240_000 });
  const ctd = new ContainerDriver({ root, networker, pollMs: 100 });
  const net = `bd${hex}`;
  const files = mkdtempSync(join(tmpdir(), 'bt-seedfiles-'));
  let vm: Handle | undefined;
  let client: Handle | undefined;
  try {
    await networker.ensureNetwork({ name: net });
    const { bridge, gateway } = networker.listNetworks().find((n) => n.name === net)!;
    mkdirSync(join(files, 'www'));
    writeFileSync(join(files, 'www', 'index.html'), `hello-disk-${hex}\n`);
    const unit = `dvm${hex}`;
    const spec = vmSpec('', {
      unit, hostname: unit, layers: [], argv: [], disk: disk.raw,
      mounts: [{ type: 'bind', source: files, target: '/', readonly: true }],
      network: { attach: [net], ports: [] }, vm: { cpus: 1, memoryBytes: 192 << 20, disksBytes: [], cloudInit: true },
    });
    const started = Date.now();
    vm = await vmd.start(spec);
    const st = await vmd.inspect(vm);
    const ip = st.addresses?.[net] ?? '';
    assert.match(ip, /^10\.89\.\d+\.\d+$/, JSON.stringify(st));
    assert.not.ok((st.detail?.ignoredInVm as string[] | undefined)?.length, `networks are honoured: ${JSON.stringify(st.detail)}`);
    const seed = readFileSync(join(root, 'instances', spec.id, 'seed', 'network-config'), 'utf8');
    assert.match(seed, `- ${ip}/`, seed);
    const vmLog = () => logTexts(vm!);
    await until('the guest serving http', () => vmLog().some((t) => t.startsWith('BT-HTTPD')) || vmLog().some((t) => t.startsWith('BT-WAITING')), 240_000);
    console.log(`disk guest on a berth network: start → httpd in ${Date.now() - started} ms`);
    const lines = vmLog();
    assert.ok(lines.some((t) => /^BT-NET \S+ addr /.test(t) && t.endsWith(` ${ip}/${seed.match(/\/(\d+)/)![1]}`)), `the guest set its address from network-config:\n${lines.join('\n')}`);
    assert.ok(lines.includes(`BT-NET ${lines.find((t) => t.startsWith('BT-NET '))!.split(' ')[1]} gw ${gateway}`), `and its default route via ${gateway}:\n${lines.join('\n')}`);
    assert.ok(lines.some((t) => t.startsWith('BT-HTTPD')), lines.join('\n'));

    const cspec: InstanceSpec = {
      id: `bt-${randomBytes(4).toString('hex')}`, unit: `client${hex}`, layers: [busyboxLayer()], env: {}, hostname: `client${hex}`, resources: {}, mounts: [],
      argv: ['sh', '-c', `for i in $(seq 1 40); do timeout 5 wget -qO- http://${unit}/ && exit 0; sleep 0.5; done; exit 1`], network: { attach: [net], ports: [] },
    };
    client = await ctd.start(cspec);
    const exit = await ctd.wait(client);
    assert.is(exit.code, 0, `the container reached the disk guest by unit name\nclient: ${logTexts(client).slice(-3).join(' | ')}\nvm: ${vmLog().slice(-8).join(' | ')}`);
    assert.ok(logTexts(client).includes(`hello-disk-${hex}`), logTexts(client).join('\n'));
    await ctd.destroy(client);
    client = undefined;

    await vmd.destroy(vm);
    vm = undefined;
    assert.not.ok(existsSync(`/run/netns/${vmNetnsName(spec.id)}`), 'no netns (nor the tap in it)');
    assert.equal(pidsMentioning(`${root}/`), [], 'no QEMU or shim');
    assert.not.ok(readdirSync(join(root, 'network', 'hosts')).includes(spec.id), 'its hosts file is gone');
    assert.not.match(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }), new RegExp(`master ${bridge}`), 'no veth left on the bridge');
    assert.not.ok(existsSync(join(root, 'instances', spec.id)), 'no instance folder');
  } finally {
    if (vm) await vmd.destroy(vm).catch(() => undefined);
    if (client) await teardown(root, client.id, await ctd.runtime(), networker).catch(() => undefined);
    await networker.removeNetwork(net).catch(() => undefined);
    rmSync(files, { recursive: true, force: true });
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test('cloud-init off: the disk guest still gets its NIC on the network, and inspect says it must configure it itself', async () => {
  const disk = bootableDisk();
  const hex = randomBytes(3).toString('hex');
  const { root, cleanup } = makeVmDriver();
  const networker = new CniNetworker({ root });
  const vmd = new VmDriver({ root, networker, accel: { accel: 'tcg', why: 'tcg: test' }, bootTimeoutMs: 240_000 });
  const net = `bn${hex}`;
  let vm: Handle | undefined;
  try {
    await networker.ensureNetwork({ name: net });
    const spec = vmSpec('', { layers: [], argv: [], disk: disk.qcow2, network: { attach: [net], ports: [] }, vm: { cpus: 1, memoryBytes: 192 << 20, disksBytes: [], cloudInit: false } });
    vm = await vmd.start(spec);
    const st = await vmd.inspect(vm);
    assert.match(st.addresses?.[net] ?? '', /^10\.89\./, JSON.stringify(st));
    const ignored = (st.detail?.ignoredInVm as string[] | undefined) ?? [];
    assert.ok(ignored.some((t) => /vm\.cloud_init is off.*configure its NICs itself.*DHCP/.test(t)), JSON.stringify(ignored));
    const args = JSON.parse(readFileSync(join(root, 'instances', spec.id, 'qemu.json'), 'utf8')) as string[];
    assert.ok(args.includes(`--net=/run/netns/${vmNetnsName(spec.id)}`) && args.some((a) => a.startsWith('tap,')), args.join(' '));
    assert.not.ok(existsSync(join(root, 'instances', spec.id, 'seed')), 'no seed');
    await vmd.destroy(vm);
    vm = undefined;
    assert.not.ok(existsSync(`/run/netns/${vmNetnsName(spec.id)}`), 'no netns');
  } finally {
    if (vm) await vmd.destroy(vm).catch(() => undefined);
    await networker.removeNetwork(net).catch(() => undefined);
    assert.equal(await cleanup(), [], 'no QEMU left behind');
  }
});

test.run();
