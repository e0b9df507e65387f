/**
 * A cloud-init NoCloud seed for disk-image guests (`vm.cloud_init: true`):
 * `meta-data` (instance id, hostname) and `user-data` (#cloud-config:
 * hostname, and every file of the unit's read-only bind mounts — its
 * rendered templates — as `write_files` at the mount's target). QEMU shows
 * the seed folder to the guest as a read-only FAT disk labelled `cidata`
 * (vvfat), so no ISO tool is needed. A guest on berth networks also gets
 * `network-config` (version 2): each NIC matched by MAC, its static
 * address, the default route via the first network's gateway and the
 * networker's nameservers (berth serves no DHCP).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Scalar, stringify } from 'yaml';
import type { InstanceSpec } from '../driver.js';

/** One guest NIC as network-config describes it. */
export interface SeedNic {
  mac: string;
  /** address/prefix, e.g. 10.89.3.7/24 */
  cidr: string;
  /** the default route (the first network only) */
  gateway?: string;
}

/** What the seed says about the guest's network. */
export interface SeedNetwork {
  nics: SeedNic[];
  nameservers: string[];
  /** search domains from resolv.conf */
  search?: string[];
}

/** One file for write_files. */
export interface SeedFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** Pure: the two seed documents. */
export function seedDocuments(spec: Pick<InstanceSpec, 'id' | 'hostname'>, files: SeedFile[]): { metaData: string; userData: string } {
  const metaData = stringify({ 'instance-id': spec.id, 'local-hostname': spec.hostname });
  const config = {
    hostname: spec.hostname,
    ...(files.length ? {
      write_files: files.map((f) => ({ path: f.path, encoding: 'b64', content: f.content.toString('base64'), permissions: `0${(f.mode & 0o7777).toString(8)}` })),
    } : {}),
  };
  return { metaData, userData: `#cloud-config\n${stringify(config)}` };
}

/**
 * Pure: cloud-init network-config version 2 (netplan) text: one ethernet
 * per NIC, matched by MAC (the guest's own names differ: ens3, eth0…),
 * static address, no DHCP; the first carries the default route and the
 * nameservers.
 */
export function networkConfig(net: SeedNetwork): string {
  const ethernets = Object.fromEntries(net.nics.map((n, i) => [`berth${i}`, {
    match: { macaddress: quoted(n.mac.toLowerCase()) },
    dhcp4: false,
    addresses: [n.cidr],
    ...(n.gateway ? { routes: [{ to: 'default', via: n.gateway }] } : {}),
    ...(i === 0 && (net.nameservers.length || net.search?.length) ? {
      nameservers: { ...(net.search?.length ? { search: net.search } : {}), ...(net.nameservers.length ? { addresses: net.nameservers } : {}) },
    } : {}),
  }]));
  return stringify({ version: 2, ethernets });
}

/** A double-quoted YAML string: cloud-init reads YAML 1.1, where an all-digit MAC (12:34:56:…) is a base-60 number. */
function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/** Pure: nameservers and search domains of resolv.conf text. */
export function resolvConf(text: string): { nameservers: string[]; search: string[] } {
  const words = (key: string) => text.split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w[0] === key).flatMap((w) => w.slice(1));
  return { nameservers: words('nameserver'), search: words('search') };
}

/** The files under the read-only bind mounts of a spec, at their guest paths. */
export function mountedFiles(spec: InstanceSpec): SeedFile[] {
  const out: SeedFile[] = [];
  for (const m of spec.mounts) {
    if (m.type !== 'bind' || !m.readonly) continue;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) out.push({ path: join(m.target, relative(m.source, p)), content: readFileSync(p), mode: statSync(p).mode });
      }
    };
    if (statSync(m.source, { throwIfNoEntry: false })?.isDirectory()) walk(m.source);
  }
  return out;
}

/** Writes the seed folder `dir` (meta-data, user-data, and network-config when `net` is given) for a spec. */
export function writeSeed(dir: string, spec: InstanceSpec, net?: SeedNetwork): void {
  mkdirSync(dir, { recursive: true });
  const docs = seedDocuments(spec, mountedFiles(spec));
  writeFileSync(join(dir, 'meta-data'), docs.metaData);
  writeFileSync(join(dir, 'user-data'), docs.userData);
  if (net) writeFileSync(join(dir, 'network-config'), networkConfig(net));
}
