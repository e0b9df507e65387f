/**
 * Host facts: what templates may know about the machine (hostname, cpus,
 * memory, addresses, os). This is the only file that reads them; everything
 * else receives a `HostFacts` value, so rendering stays pure and testable.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Addresses of one network interface, by family. */
export interface InterfaceAddresses {
  ipv4: string[];
  ipv6: string[];
}

/** What a template sees as `host`. */
export interface HostFacts {
  hostname: string;
  cpus: number;
  /** total memory in bytes */
  memory: number;
  /** addresses per interface name, e.g. `host.interfaces.eth0.ipv4[0]` */
  interfaces: Record<string, InterfaceAddresses>;
  /** the first non-internal IPv4 address, or 127.0.0.1 */
  ipv4: string;
  /** the first non-internal, non-link-local IPv6 address, or ::1 */
  ipv6: string;
  os: { id: string; name: string; version: string; versionId: string };
  kernel: string;
  arch: string;
}

/** Parses /etc/os-release text (KEY="value" lines) into a map. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** Reads this host's facts (no caching: cheap, and addresses change). */
export function collectHostFacts(): HostFacts {
  let release: Record<string, string> = {};
  try {
    release = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    // no os-release (a minimal container): keep the fields empty
  }
  const interfaces: Record<string, InterfaceAddresses> = {};
  let ipv4 = '';
  let ipv6 = '';
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    const entry: InterfaceAddresses = { ipv4: [], ipv6: [] };
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4') {
        entry.ipv4.push(a.address);
        if (!a.internal && !ipv4) ipv4 = a.address;
      } else {
        entry.ipv6.push(a.address);
        if (!a.internal && !ipv6 && !a.address.startsWith('fe80')) ipv6 = a.address;
      }
    }
    interfaces[name] = entry;
  }
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memory: os.totalmem(),
    interfaces,
    ipv4: ipv4 || '127.0.0.1',
    ipv6: ipv6 || '::1',
    os: {
      id: release.ID ?? '',
      name: release.NAME ?? os.type(),
      version: release.VERSION ?? '',
      versionId: release.VERSION_ID ?? '',
    },
    kernel: os.release(),
    arch: os.arch(),
  };
}
