/**
 * Who belongs in whose hosts file, pure: an instance lists every other
 * instance that shares one of its networks, under its aliases and hostname,
 * at its address on the first shared network.
 */
import { renderHostsFile, type HostsEntry } from './hosts-file.js';
import type { InstanceRecord } from './network-state.js';

/** The hosts file text of `self` given every instance record. */
export function hostsFor(self: InstanceRecord, all: InstanceRecord[]): string {
  const mine = self.attachments.filter((a) => a.ip).map((a) => a.network);
  const peers: HostsEntry[] = [];
  for (const other of all) {
    if (other.id === self.id) continue;
    const shared = other.attachments.find((a) => a.ip && mine.includes(a.network));
    if (shared?.ip) peers.push({ ip: shared.ip, names: [...other.aliases, other.hostname] });
  }
  const ips = self.attachments.map((a) => a.ip).filter((ip): ip is string => Boolean(ip));
  return renderHostsFile({ hostname: self.hostname, aliases: self.aliases, ips }, peers);
}

/** The instances whose hosts files change when `changed` joins or leaves its networks. */
export function affectedBy(changed: InstanceRecord, all: InstanceRecord[]): InstanceRecord[] {
  const nets = new Set(changed.attachments.map((a) => a.network));
  return all.filter((r) => r.id !== changed.id && r.attachments.some((a) => nets.has(a.network)));
}
