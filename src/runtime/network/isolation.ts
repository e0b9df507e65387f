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

/**
 * The iptables-restore lines that bring `save` (iptables-save -t filter) to
 * the wanted state for `bridge`: present (its 4 rules, the chain, the
 * FORWARD jump) or absent (and the chain and jump too once nothing is left).
 */
export function isolationChanges(save: string, bridge: string, want: 'present' | 'absent'): string[] {
  const lines = save.split('\n');
  const tag = new RegExp(`berth:${bridge.replace(/[-+]/g, '\\$&')}(["\\s]|$)`);
  const mine = lines.filter((l) => l.startsWith(`-A ${ISOLATION_CHAIN} `) && tag.test(l));
  const others = lines.filter((l) => l.startsWith(`-A ${ISOLATION_CHAIN} `) && !tag.test(l));
  const hasChain = lines.some((l) => l.startsWith(`:${ISOLATION_CHAIN} `));
  const hasJump = lines.includes(`-A FORWARD -j ${ISOLATION_CHAIN}`);
  const out: string[] = [];
  if (want === 'present') {
    if (!hasChain) out.push(`:${ISOLATION_CHAIN} - [0:0]`);
    if (!hasJump) out.push(`-I FORWARD 1 -j ${ISOLATION_CHAIN}`);
    if (mine.length !== isolationRules(bridge).length) {
      out.push(...mine.map((l) => `-D ${l.slice(3)}`));
      out.push(...isolationRules(bridge).map((r) => `-A ${ISOLATION_CHAIN} ${r.join(' ')}`));
    }
    return out;
  }
  out.push(...mine.map((l) => `-D ${l.slice(3)}`));
  if (hasChain && others.length === 0) {
    if (hasJump) out.push(`-D FORWARD -j ${ISOLATION_CHAIN}`);
    out.push(`-X ${ISOLATION_CHAIN}`);
  }
  return out;
}

// One save and at most one restore (a single nf_tables transaction): ~120 ms instead of ~60 ms per rule.
async function converge(bridge: string, want: 'present' | 'absent'): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const save = await run('iptables-save', ['-t', 'filter']).then((r) => r.stdout);
    const changes = isolationChanges(save, bridge, want);
    if (changes.length === 0) return;
    try {
      await restore(`*filter\n${changes.join('\n')}\nCOMMIT\n`);
      return;
    } catch (err) {
      // another agent changed the table between save and restore: look again
      if (attempt >= 2) {
        throw new BerthError('E_NET_IPTABLES', `cannot update ${ISOLATION_CHAIN} for ${bridge}: ${String((err as { stderr?: string }).stderr ?? err).trim()}`, {
          hint: 'berth needs root and a working iptables (nf_tables or legacy): check `iptables -S` as root',
        });
      }
    }
  }
}

function restore(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('iptables-restore', ['-w', '5', '--noflush'], (err) => (err ? reject(err) : resolve()));
    child.stdin?.end(input);
  });
}

/** Creates the chain, the FORWARD jump and the bridge's rules if missing; idempotent. */
export function ensureIsolation(bridge: string): Promise<void> {
  return converge(bridge, 'present');
}

/** Removes the bridge's rules, and the chain and its jump once no network uses them; idempotent. */
export function removeIsolation(bridge: string): Promise<void> {
  return converge(bridge, 'absent');
}
