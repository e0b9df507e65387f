/**
 * CniNetworker against the real plugins, as root: two namespaces on one
 * fresh network talk by IP and by name, a 127.0.0.1 port is published, a
 * taken port is refused with nothing left behind, detach and crash cleanup
 * remove veths, rules and leases, and a second network is isolated.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';
import { CniNetworker } from '../../../src/runtime/network/cni-networker.js';
import type { AttachRequest, NetworkAttachment } from '../../../src/runtime/network/networker.js';
import { ISOLATION_CHAIN } from '../../../src/runtime/network/isolation.js';
import { execCniPlugin, type CniExec } from '../../../src/runtime/network/cni-exec.js';
import { createNetns, deleteNetns, eventually, freePort, httpGet, inNetns, inNetnsWithHosts, sh, startHttpd } from './netns-fixture.js';

requireRoot();
for (const tool of ['ip', 'iptables', 'iptables-save', 'nsenter', 'unshare', 'busybox', 'ss']) requireTool(tool);
if (!existsSync('/usr/lib/cni/bridge')) throw new Error('this test needs /usr/lib/cni/bridge\nhint: install containernetworking-plugins (scripts/setup)');

const hex = randomBytes(3).toString('hex');
const root = mkdtempSync(join(tmpdir(), 'bt-net-'));
const www = join(root, 'www');
const net1 = `bt${hex}a`;
const net2 = `bt${hex}b`;
const ns = { a: `bt-${hex}-a`, b: `bt-${hex}-b`, c: `bt-${hex}-c`, d: `bt-${hex}-d`, e: `bt-${hex}-e`, f: `bt-${hex}-f`, g: `bt-${hex}-g`, h: `bt-${hex}-h` };
const networker = new CniNetworker({ root });
const servers: ChildProcess[] = [];
const blockers: Server[] = [];
const made: AttachRequest[] = [];
let port = 0;
let atts: Record<string, NetworkAttachment[]> = {};

function req(id: string, netnsName: string, networks: string[], aliases: string[], ports: AttachRequest['ports'] = []): AttachRequest {
  const r = { id: `${hex}-${id}`, netnsPath: `/run/netns/${netnsName}`, networks, ports, hostname: `${id}-host`, aliases };
  made.push(r);
  return r;
}

async function nat(): Promise<string> {
  return (await sh('iptables-save', ['-t', 'nat'])).stdout;
}

test.before(async () => {
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), `hello from ${hex}\n`);
  for (const name of Object.values(ns)) await createNetns(name);
  port = await freePort();
});

test.after(async () => {
  for (const s of servers) s.kill('SIGKILL');
  for (const b of blockers) b.close();
  for (const r of made) await networker.detach(r).catch(() => undefined);
  for (const n of [net1, net2]) await networker.removeNetwork(n).catch(() => undefined);
  for (const name of Object.values(ns)) await deleteNetns(name);
  rmSync(root, { recursive: true, force: true });
});

test('the installed plugins speak CNI 1.0.0', async () => {
  assert.equal(await networker.probe(), { cniVersion: '1.0.0', cniPath: ['/usr/lib/cni', '/opt/cni/bin'] });
});

test('two namespaces on a fresh network get addresses in its subnet, and loopback', async () => {
  await networker.ensureNetwork({ name: net1 });
  const rec = networker.listNetworks().find((n) => n.name === net1)!;
  assert.match(rec.subnet, /^10\.89\.\d+\.0\/24$/);
  assert.ok(rec.bridge.length <= 15);
  atts.a = await networker.attach(req('web', ns.a, [net1], ['web', 'www-alias'], [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }]));
  atts.b = await networker.attach(req('client', ns.b, [net1], ['client']));
  const prefix = rec.subnet.replace(/0\/24$/, '');
  for (const [name, a] of [['a', atts.a], ['b', atts.b]] as const) {
    assert.is(a.length, 1);
    assert.is(a[0]!.interface, 'eth0');
    assert.ok(a[0]!.ip.startsWith(prefix), `${a[0]!.ip} in ${rec.subnet}`);
    assert.is(a[0]!.gateway, rec.gateway);
    const addr = await inNetns(`/run/netns/${ns[name]}`, ['ip', '-4', '-o', 'addr', 'show']);
    assert.match(addr.stdout, new RegExp(`eth0\\s+inet ${a[0]!.ip.replace(/\./g, '\\.')}/24`));
    assert.match(addr.stdout, /lo\s+inet 127\.0\.0\.1\/8/);
  }
  assert.is.not(atts.a[0]!.ip, atts.b[0]!.ip);
});

test('they reach each other by IP, and by name through the hosts file', async () => {
  const ping = await inNetns(`/run/netns/${ns.b}`, ['busybox', 'ping', '-c', '1', '-W', '2', atts.a![0]!.ip]);
  assert.is(ping.code, 0, ping.stdout + ping.stderr);
  const hostsB = networker.hostsFile(`${hex}-client`);
  const text = readFileSync(hostsB, 'utf8');
  assert.match(text, new RegExp(`${atts.a![0]!.ip.replace(/\./g, '\\.')}\\tweb www-alias web-host\\n`));
  servers.push(startHttpd(`/run/netns/${ns.a}`, www));
  const byName = async () => (await inNetnsWithHosts(`/run/netns/${ns.b}`, hostsB, 'busybox wget -q -O- http://www-alias/')).stdout.includes(hex);
  assert.ok(await eventually(byName), 'wget http://www-alias/ from b');
  const hostsA = readFileSync(networker.hostsFile(`${hex}-web`), 'utf8');
  assert.match(hostsA, /\tclient client-host\n/);
});

test('the published 127.0.0.1 port serves from the host', async () => {
  assert.ok(await eventually(async () => (await httpGet(`http://127.0.0.1:${port}/`)).includes(hex)), `GET 127.0.0.1:${port}`);
  assert.is(readFileSync(`/proc/sys/net/ipv4/conf/${networker.listNetworks().find((n) => n.name === net1)!.bridge}/route_localnet`, 'utf8').trim(), '1');
});

test('a port held by a host process or by another container is refused, leaving nothing behind', async () => {
  const taken = await freePort();
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', () => r()));
  const linksBefore = (await sh('ip', ['-o', 'link'])).stdout.split('\n').length;
  const cases = [
    { port: taken, by: new RegExp(`port 127\\.0\\.0\\.1:${taken}/tcp is already in use by process node \\(pid ${process.pid}\\)`) },
    { port, by: new RegExp(`port 0\\.0\\.0\\.0:${port}/tcp is already in use by container ${hex}-web`) },
  ];
  for (const c of cases) {
    const r = req('late', ns.c, [net1], ['late'], [{ hostIp: c.port === port ? '0.0.0.0' : '127.0.0.1', hostPort: c.port, containerPort: 80, protocol: 'tcp' }]);
    try {
      await networker.attach(r);
      assert.unreachable('attach should fail');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'E_PORT_IN_USE', String(err));
      assert.match((err as Error).message, c.by);
      assert.ok((err as { hint?: string }).hint);
    }
    assert.is((await inNetns(r.netnsPath, ['ip', '-o', 'link'])).stdout.includes('eth0'), false);
    assert.ok(!existsSync(join(root, 'network', 'instances', `${r.id}.json`)));
  }
  assert.is((await sh('ip', ['-o', 'link'])).stdout.split('\n').length, linksBefore);
  assert.not.match(readFileSync(networker.hostsFile(`${hex}-client`), 'utf8'), /late/);
});

test('a second network is isolated from the first', async () => {
  await networker.ensureNetwork({ name: net2 });
  atts.c = await networker.attach(req('other', ns.c, [net2], ['other']));
  const own = await inNetns(`/run/netns/${ns.c}`, ['busybox', 'ping', '-c', '1', '-W', '2', atts.c[0]!.gateway]);
  assert.is(own.code, 0, 'reaches its own gateway');
  const cross = await inNetns(`/run/netns/${ns.c}`, ['busybox', 'ping', '-c', '1', '-W', '1', atts.a![0]!.ip]);
  assert.is.not(cross.code, 0, 'must not reach the other network');
  assert.not.match(readFileSync(networker.hostsFile(`${hex}-other`), 'utf8'), /\tweb/);
  assert.match((await sh('iptables', ['-S', 'FORWARD'])).stdout, new RegExp(`-A FORWARD -j ${ISOLATION_CHAIN}`));
});

test('an instance on two networks gets eth0 and eth1 and sees members of both by name', async () => {
  const r = req('both', ns.f, [net2, net1], ['both']);
  const a = await networker.attach(r);
  assert.equal(a.map((x) => `${x.network} ${x.interface}`), [`${net2} eth0`, `${net1} eth1`]);
  const hosts = readFileSync(networker.hostsFile(r.id), 'utf8');
  assert.match(hosts, /\tclient client-host\n/);
  assert.match(hosts, /\tother other-host\n/);
  assert.match(readFileSync(networker.hostsFile(`${hex}-other`), 'utf8'), new RegExp(`${a[0]!.ip.replace(/\./g, '\\.')}\tboth`));
  assert.is((await inNetns(r.netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', atts.b![0]!.ip])).code, 0);
  await networker.check(r.id); // CNI CHECK passes on what ADD set up
  await inNetns(r.netnsPath, ['ip', 'link', 'del', 'eth1']);
  try {
    await networker.check(r.id);
    assert.unreachable('CHECK should notice the missing eth1');
  } catch (err) {
    assert.match((err as Error).message, /CNI plugin \w+ CHECK failed/);
  }
  await networker.detach(r);
  assert.not.match(readFileSync(networker.hostsFile(`${hex}-other`), 'utf8'), /both/);
});

test('a plugin failure is a CniError with the plugin message and a hint, and attach rolls back', async () => {
  const notNetns = join(root, 'not-a-netns');
  writeFileSync(notNetns, '');
  try {
    await networker.attach({ ...req('bad', ns.d, [net1], ['bad']), netnsPath: notNetns });
    assert.unreachable();
  } catch (err) {
    const e = err as { code?: string; message: string; hint?: string };
    assert.is(e.code, 'E_CNI', e.message);
    assert.match(e.message, /CNI plugin \w+ ADD failed \(code \d+\): .*netns/);
    assert.ok(e.hint);
  }
  // portmap fails after bridge succeeded: bridge's veth, lease and masquerade chain are undone
  const failing: CniExec = (type, command, target, stdin) =>
    type === 'portmap' && command === 'ADD' ? Promise.reject(new Error('injected portmap failure')) : execCniPlugin(type, command, target, stdin);
  const half = new CniNetworker({ root, exec: failing });
  const r = req('half', ns.d, [net1], ['half'], [{ hostIp: '127.0.0.1', hostPort: await freePort(), containerPort: 80, protocol: 'tcp' }]);
  const leasesBefore = readdirSync(join(root, 'network', 'ipam', net1)).length;
  try {
    await half.attach(r);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /injected portmap failure/);
  }
  assert.is((await inNetns(r.netnsPath, ['ip', '-o', 'link'])).stdout.includes('eth0'), false);
  assert.is(readdirSync(join(root, 'network', 'ipam', net1)).length, leasesBefore);
  assert.not.match(await nat(), new RegExp(`id: \\\\"${r.id}\\\\"`));
  assert.ok(!existsSync(join(root, 'network', 'instances', `${r.id}.json`)));
});

test('detach removes the veth, nat rules, IPAM lease and hosts entries (hosts file keeps its inode)', async () => {
  const a = made.find((r) => r.id === `${hex}-web`)!;
  const hostsB = networker.hostsFile(`${hex}-client`);
  const ino = statSync(hostsB).ino;
  const ipamDir = join(root, 'network', 'ipam', net1);
  assert.ok(readdirSync(ipamDir).includes(atts.a![0]!.ip));
  const veth = (await sh('ip', ['-o', 'link', 'show', 'master', networker.listNetworks().find((n) => n.name === net1)!.bridge])).stdout;
  assert.is(veth.trim().split('\n').length, 2);
  await networker.detach(a);
  await networker.detach(a); // idempotent
  assert.not.match(await nat(), new RegExp(`id: \\\\"${a.id}\\\\"`));
  assert.ok(!readdirSync(ipamDir).includes(atts.a![0]!.ip));
  const after = (await sh('ip', ['-o', 'link', 'show', 'master', networker.listNetworks().find((n) => n.name === net1)!.bridge])).stdout;
  assert.is(after.trim().split('\n').length, 1);
  assert.is(statSync(hostsB).ino, ino);
  assert.not.match(readFileSync(hostsB, 'utf8'), /web/);
  assert.match((await httpGet(`http://127.0.0.1:${port}/`, 1000)), /^error/);
  // the port is free again: another container takes it, on all addresses (0.0.0.0 includes 127.0.0.1)
  const again = await networker.attach(req('web2', ns.d, [net1], ['web2'], [{ hostIp: '0.0.0.0', hostPort: port, containerPort: 80, protocol: 'tcp' }]));
  assert.is(again.length, 1);
  const httpd = startHttpd(`/run/netns/${ns.d}`, www);
  servers.push(httpd);
  assert.ok(await eventually(async () => (await httpGet(`http://127.0.0.1:${port}/`)).includes(hex)), `GET 127.0.0.1:${port} via 0.0.0.0 mapping`);
  httpd.kill('SIGKILL');
  await networker.detach(made.at(-1)!);
});

test('after a crash (namespace gone, no detach) cleanupLeftovers frees the lease, rules and hosts entry', async () => {
  const r = req('crashy', ns.e, [net1], ['crashy'], [{ hostIp: '127.0.0.1', hostPort: await freePort(), containerPort: 80, protocol: 'tcp' }]);
  const att = await networker.attach(r);
  assert.match(readFileSync(networker.hostsFile(`${hex}-client`), 'utf8'), /crashy/);
  await deleteNetns(ns.e);
  const removed = await networker.cleanupLeftovers();
  assert.ok(removed.some((s) => s.includes(r.id)), removed.join('\n'));
  assert.not.match(await nat(), new RegExp(`id: \\\\"${r.id}\\\\"`));
  assert.ok(!readdirSync(join(root, 'network', 'ipam', net1)).includes(att[0]!.ip));
  assert.not.match(readFileSync(networker.hostsFile(`${hex}-client`), 'utf8'), /crashy/);
});

test('parallel attaches and detaches are serialised: each sees the other by name, then neither', async () => {
  const g = req('par-g', ns.g, [net1], ['par-g']);
  const h = req('par-h', ns.h, [net1], ['par-h']);
  const [ag, ah] = await Promise.all([networker.attach(g), networker.attach(h)]);
  assert.is.not(ag[0]!.ip, ah[0]!.ip);
  assert.match(readFileSync(networker.hostsFile(g.id), 'utf8'), new RegExp(`${ah[0]!.ip.replace(/\./g, '\\.')}\tpar-h`));
  assert.match(readFileSync(networker.hostsFile(h.id), 'utf8'), new RegExp(`${ag[0]!.ip.replace(/\./g, '\\.')}\tpar-g`));
  await Promise.all([networker.detach(g), networker.detach(h)]);
  assert.not.match(readFileSync(networker.hostsFile(`${hex}-client`), 'utf8'), /par-/);
});

test('removeNetwork refuses while attached, then removes bridge and isolation rules', async () => {
  const bridge = networker.listNetworks().find((n) => n.name === net2)!.bridge;
  try {
    await networker.removeNetwork(net2);
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code?: string }).code, 'E_NET_BUSY');
  }
  await networker.detach(made.find((m) => m.id === `${hex}-other`)!);
  await networker.removeNetwork(net2);
  assert.is((await sh('ip', ['link', 'show', bridge])).code !== 0, true);
  assert.not.match((await sh('iptables', ['-S', ISOLATION_CHAIN])).stdout, new RegExp(`berth:${bridge}`));
});

test('an unknown network is a clear error', async () => {
  try {
    await networker.attach(req('lost', ns.d, ['nope-' + hex], ['lost']));
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code?: string }).code, 'E_NET_UNKNOWN');
  }
});

test('nothing is left: no veth on our bridges, no bridge, no rule naming our ids or bridges', async () => {
  const bridge = networker.listNetworks().find((n) => n.name === net1)!.bridge;
  for (const r of made) await networker.detach(r);
  await networker.removeNetwork(net1);
  assert.is((await sh('ip', ['link', 'show', bridge])).code !== 0, true);
  const all = (await sh('iptables-save', [])).stdout;
  assert.not.match(all, new RegExp(hex));
  assert.not.match(all, new RegExp(bridge));
  assert.is(readdirSync(join(root, 'network', 'instances')).length, 0);
  assert.ok(!existsSync(join(root, 'network', 'ipam', net1)));
});

test.run();
