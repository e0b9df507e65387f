/**
 * IPv4 subnet arithmetic and allocation, pure. Networks without a declared
 * subnet get a /24 out of 10.89.0.0/16, chosen from a hash of the network's
 * name so that the same name tends to get the same subnet on every host,
 * skipping subnets that other networks or host routes already use.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../../errors.js';

/** The pool berth allocates network subnets from. */
export const SUBNET_POOL = '10.89.0.0/16';

/** An IPv4 CIDR as numbers. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** Parses `a.b.c.d` to an unsigned 32-bit number, or undefined. */
export function parseIp(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Formats an unsigned 32-bit number as `a.b.c.d`. */
export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Parses `a.b.c.d/n` (host bits must be zero), or undefined. */
export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, len, extra] = cidr.split('/');
  if (extra !== undefined || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const base = parseIp(ip);
  const prefix = Number(len);
  if (base === undefined || prefix > 32) return undefined;
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

/** True when two CIDRs share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** The gateway berth gives a subnet: its first host address. */
export function gatewayOf(subnet: string): string {
  const c = parseCidr(subnet);
  if (!c) throw new RangeError(`not a CIDR: ${subnet}`);
  return formatIp(c.base + 1);
}

/** Validates a declared subnet: an IPv4 CIDR from /8 to /30 that overlaps nothing taken. */
export function checkSubnet(network: string, subnet: string, taken: { what: string; cidr: string }[]): void {
  const c = parseCidr(subnet);
  if (!c || c.prefix < 8 || c.prefix > 30) {
    throw new BerthError('E_NET_SUBNET', `network ${network}: subnet "${subnet}" is not an IPv4 CIDR between /8 and /30`, {
      hint: 'write it like 10.89.7.0/24 (host bits zero), or leave it out to get one from 10.89.0.0/16',
    });
  }
  for (const t of taken) {
    const other = parseCidr(t.cidr);
    if (other && overlaps(c, other)) {
      throw new BerthError('E_NET_SUBNET_OVERLAP', `network ${network}: subnet ${subnet} overlaps ${t.cidr} (${t.what})`, {
        hint: 'choose a subnet that no other network or host route uses (see `ip route`), or leave it out',
      });
    }
  }
}

/** Picks a free /24 of the pool for `name`: the hashed slot first, then the next free ones. */
export function allocateSubnet(name: string, taken: string[]): string {
  const pool = parseCidr(SUBNET_POOL)!;
  const used = taken.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const slots = 2 ** (24 - pool.prefix);
  const start = createHash('sha256').update(name).digest().readUInt16BE(0) % slots;
  for (let k = 0; k < slots; k++) {
    const slot = (start + k) % slots;
    if (slot === 0 || slot === slots - 1) continue; // keep 10.89.0.0/24 and 10.89.255.0/24 for humans
    const cand = { base: pool.base + slot * 256, prefix: 24 };
    if (!used.some((u) => overlaps(u, cand))) return `${formatIp(cand.base)}/24`;
  }
  throw new BerthError('E_NET_POOL_FULL', `no free /24 left in ${SUBNET_POOL} for network ${name}`, {
    hint: 'remove unused networks (berth network rm) or declare a subnet for this one',
  });
}
