/**
 * A guest on berth networks, through the same Networker (CNI) as a
 * container: a network namespace `berth-vm-<id>` per guest, the CNI chain
 * run in it (eth0, eth1… with IPAM, hosts entries by unit name, isolation
 * rules, portmap for published ports), one tap per interface mirrored to it
 * (network/tap-mirror.ts), and QEMU started inside the namespace (nsenter)
 * with each guest NIC carrying its interface's MAC. A disk-image guest
 * learns its addresses from the cloud-init seed (cloud-init.ts,
 * network-config). A micro-VM's /init reads
 * its addresses from the kernel command line (`berth.nic=MAC,IP/PREFIX[,GW]`)
 * and bind-mounts the hosts file and resolv.conf from a read-only 9p share
 * of `<dir>/net/`, where `hosts` is a hard link to the networker's hosts
 * file (rewritten in place, so the guest sees peers come and go).
 *
 * `<dir>/net.json` records the namespace and the attach request before
 * anything is made, so teardown works after a crash at any point.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InstanceSpec } from '../driver.js';
import type { AttachRequest, NetworkAttachment, Networker } from '../network/networker.js';
import { mirrorTap } from '../network/tap-mirror.js';

const run = promisify(execFile);

/** One guest NIC: a tap in the namespace mirrored to a CNI interface. */
export interface VmNic {
  network: string;
  tap: string;
  mac: string;
  /** address/prefix, e.g. 10.89.3.7/24 */
  cidr: string;
  /** set on the first NIC only: the guest's default route */
  gateway?: string;
}

/** What a networked guest needs at launch. */
export interface VmNetwork {
  netnsName: string;
  netnsPath: string;
  nics: VmNic[];
  /** folder shared read-only with the guest (hosts, resolv.conf) */
  shareDir: string;
  /** network name → IPv4 address, for inspect */
  addresses: Record<string, string>;
}

interface Saved { netnsName: string; request: AttachRequest }

/** The namespace name of a guest. */
export function vmNetnsName(id: string): string {
  return `berth-vm-${id}`;
}

/** Pure: the kernel command line words that tell /init its addresses. */
export function nicCmdline(nics: VmNic[]): string[] {
  return nics.map((n) => `berth.nic=${n.mac},${n.cidr}${n.gateway ? `,${n.gateway}` : ''}`);
}

/** Makes the namespace, attaches it, mirrors a tap per interface and fills the share. Undo with `detachVmNetwork`. */
export async function attachVmNetwork(networker: Networker, spec: InstanceSpec, dir: string): Promise<VmNetwork> {
  const netnsName = vmNetnsName(spec.id);
  const netnsPath = `/run/netns/${netnsName}`;
  const request: AttachRequest = { id: spec.id, netnsPath, networks: spec.network.attach, ports: spec.network.ports, hostname: spec.hostname, aliases: [spec.unit, spec.hostname] };
  writeFileSync(join(dir, 'net.json'), `${JSON.stringify({ netnsName, request } satisfies Saved)}\n`);
  await ip(['netns', 'add', netnsName]);
  await ip(['-n', netnsName, 'link', 'set', 'lo', 'up']);
  const attached: NetworkAttachment[] = await networker.attach(request);
  const nics: VmNic[] = [];
  for (const [i, a] of attached.entries()) {
    const iface = await mirrorTap(netnsName, a.interface, `tap${i}`);
    nics.push({ network: a.network, tap: `tap${i}`, mac: iface.mac, cidr: iface.cidr, ...(i === 0 && a.gateway ? { gateway: a.gateway } : {}) });
  }
  const shareDir = join(dir, 'net');
  mkdirSync(shareDir, { recursive: true });
  const hosts = networker.hostsFile(spec.id);
  // a hard link shares the inode the networker rewrites in place; across file systems only a copy (no live updates) is possible
  try { linkSync(hosts, join(shareDir, 'hosts')); } catch { copyFileSync(hosts, join(shareDir, 'hosts')); }
  const resolv = networker.resolvConfFile?.() ?? '/etc/resolv.conf';
  if (existsSync(resolv)) copyFileSync(resolv, join(shareDir, 'resolv.conf'));
  else writeFileSync(join(shareDir, 'resolv.conf'), '');
  return { netnsName, netnsPath, nics, shareDir, addresses: Object.fromEntries(attached.map((a) => [a.network, a.ip])) };
}

/**
 * Undoes attachVmNetwork from `<dir>/net.json`: CNI DEL (IPAM, rules,
 * hosts entries), then the namespace with its taps and veth ends. Call
 * after QEMU is gone (it holds the namespace). Idempotent; returns what
 * could not be removed.
 */
export async function detachVmNetwork(networker: Networker | undefined, dir: string): Promise<string[]> {
  let saved: Saved;
  try { saved = JSON.parse(readFileSync(join(dir, 'net.json'), 'utf8')) as Saved; } catch { return []; }
  const left: string[] = [];
  // without a networker, the namespace still goes: the networker's leftover sweep frees what an instance without one holds
  if (networker) await networker.detach(saved.request).catch((err: Error) => left.push(`network: ${err.message}`));
  if (existsSync(`/run/netns/${saved.netnsName}`)) {
    await ip(['netns', 'delete', saved.netnsName]).catch((err: Error) => left.push(err.message));
  }
  if (left.length === 0) rmSync(join(dir, 'net.json'), { force: true });
  return left;
}

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`ip ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}
