/**
 * Name resolution between containers through /etc/hosts files.
 *
 * Why hosts files and not a DNS resolver: every libc (glibc, musl, busybox)
 * reads /etc/hosts on each lookup, so an entry written here is seen at once
 * with nothing to run, supervise, bind on port 53 of each bridge or firewall;
 * it survives an agent restart untouched. Names outside berth still go to
 * the host's resolvers through resolv.conf. What it gives up: names resolve
 * only on shared networks (the same as Docker's embedded DNS), and a program
 * that caches lookups (e.g. nscd, the JVM) may see a change late.
 *
 * The file is bind-mounted into the container, which pins its inode: it is
 * rewritten in place (truncate + write), never replaced by a rename.
 */
import { writeFileSync } from 'node:fs';

/** One line of a hosts file: an address and its names. */
export interface HostsEntry {
  ip: string;
  names: string[];
}

/** The instance itself: its hostname and aliases on each of its addresses. */
export interface HostsSelf {
  hostname: string;
  aliases: string[];
  ips: string[];
}

/** Renders a hosts file: localhost, the instance's own names, then its peers in a stable order. */
export function renderHostsFile(self: HostsSelf, peers: HostsEntry[]): string {
  const lines = ['# managed by berth: rewritten when a network member comes or goes', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const own = unique([self.hostname, ...self.aliases]);
  if (self.ips.length === 0) lines.push(`127.0.1.1\t${own.join(' ')}`);
  for (const ip of self.ips) lines.push(`${ip}\t${own.join(' ')}`);
  const sorted = [...peers].sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? '') || a.ip.localeCompare(b.ip));
  for (const p of sorted) {
    const names = unique(p.names).filter((n) => !own.includes(n));
    if (names.length > 0) lines.push(`${p.ip}\t${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `content` into `path` keeping its inode (O_TRUNC, no rename), so bind mounts see it. */
export function writeInPlace(path: string, content: string): void {
  writeFileSync(path, content, { flag: 'w', mode: 0o644 });
}

// Only hostname characters: a name with a space or newline would forge other entries.
const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/;

function unique(names: string[]): string[] {
  return [...new Set(names.filter((n) => HOSTNAME.test(n)))];
}
