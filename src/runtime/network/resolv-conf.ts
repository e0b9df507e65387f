/**
 * The resolv.conf containers get: the host's, without nameservers on
 * 127.0.0.0/8 or ::1 (a container's loopback is its own, nothing listens
 * there). When that leaves none, systemd-resolved's upstream file is used if
 * present, else public resolvers, as Docker does.
 */

/** Public resolvers used when the host only has local ones. */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/** Where systemd-resolved keeps the real upstream servers when /etc/resolv.conf points at 127.0.0.53. */
export const RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

/** True for a nameserver address a container cannot reach. */
export function isLocalNameserver(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1';
}

/** Drops local nameservers; returns the text and how many servers are left. */
export function filterResolvConf(text: string): { text: string; nameservers: number } {
  const out: string[] = [];
  let nameservers = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) {
      if (isLocalNameserver(m[1]!)) continue;
      nameservers++;
    }
    out.push(line);
  }
  return { text: `${out.join('\n').trimEnd()}\n`, nameservers };
}

/** The container resolv.conf from the host's file, with the upstream file as second choice. */
export function containerResolvConf(hostText: string, upstreamText?: string): string {
  const host = filterResolvConf(hostText);
  if (host.nameservers > 0) return host.text;
  if (upstreamText !== undefined) {
    const up = filterResolvConf(upstreamText);
    if (up.nameservers > 0) return up.text;
  }
  return `${host.text}# berth: the host has only local nameservers; using public ones\n${FALLBACK_NAMESERVERS.map((n) => `nameserver ${n}`).join('\n')}\n`;
}
