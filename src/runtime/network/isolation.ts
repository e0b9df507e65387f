/**
 * Keeps berth networks apart. With isGateway on every bridge the host would
 * route between them, so a chain BERTH-ISOLATE (filter table, first in
 * FORWARD) drops traffic from one berth bridge to another, except
 * connections to a published port (conntrack DNAT). It also accepts the
 * network's own traffic, so containers work on hosts whose FORWARD policy is
 * DROP (e.g. where Docker runs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';

const run = promisify(execFile);

/** The chain berth owns in the filter table. */
export const ISOLATION_CHAIN = 'BERTH-ISOLATE';

/** The rules of one bridge, in order (each an iptables argv after `-A CHAIN`). */
export function isolationRules(bridge: string): string[][] {
  const tag = ['-m', 'comment', '--comment', `berth:${bridge}`];
  return [
    ['-i', bridge, '-o', bridge, ...tag, '-j', 'ACCEPT'],
    ['-i', bridge, '-o', 'berth-+', '-m', 'conntrack', '!', '--ctstate', 'DNAT', ...tag, '-j', 'DROP'],
    ['-i', bridge, ...tag, '-j', 'ACCEPT'],
    ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED,DNAT', ...tag, '-j', 'ACCEPT'],
  ];
}

async function iptables(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  try {
    await run('iptables', ['-w', '5', ...args]);
    return { ok: true, stderr: '' };
  } catch (err) {
    return { ok: false, stderr: String((err as { stderr?: string }).stderr ?? err) };
  }
}

/** Creates the chain and the FORWARD jump if missing, and the bridge's rules; idempotent. */
export async function ensureIsolation(bridge: string): Promise<void> {
  await iptables(['-N', ISOLATION_CHAIN]); // fails when it exists: fine
  if (!(await iptables(['-C', 'FORWARD', '-j', ISOLATION_CHAIN])).ok) {
    const ins = await iptables(['-I', 'FORWARD', '1', '-j', ISOLATION_CHAIN]);
    if (!ins.ok) {
      throw new BerthError('E_NET_IPTABLES', `cannot add the ${ISOLATION_CHAIN} jump to FORWARD: ${ins.stderr.trim()}`, {
        hint: 'berth needs root and a working `iptables` (nf_tables or legacy)',
      });
    }
  }
  for (const rule of isolationRules(bridge)) {
    if ((await iptables(['-C', ISOLATION_CHAIN, ...rule])).ok) continue;
    const add = await iptables(['-A', ISOLATION_CHAIN, ...rule]);
    if (!add.ok) throw new BerthError('E_NET_IPTABLES', `cannot add isolation rule for ${bridge}: ${add.stderr.trim()}`, { hint: 'check `iptables -S` as root' });
  }
}

/** Removes the bridge's rules (the chain stays for other networks); idempotent. */
export async function removeIsolation(bridge: string): Promise<void> {
  for (const rule of isolationRules(bridge)) {
    while ((await iptables(['-D', ISOLATION_CHAIN, ...rule])).ok) {
      // delete duplicates too
    }
  }
}
