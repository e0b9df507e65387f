/**
 * Removes what CNI plugins leave behind when a namespace vanished before
 * DEL (a crash): the bridge plugin's masquerade chain and any other nat rule
 * whose comment names the container id, and a host-side veth.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Splits one `iptables-save` rule line into argv, honouring "…" with \" escapes. */
export function splitRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '\\' && line[i + 1] === '"') { cur += '"'; i++; continue; }
    if (c === '"') { quoted = !quoted; has = true; continue; }
    if (c === ' ' && !quoted) { if (has || cur) out.push(cur); cur = ''; has = false; continue; }
    cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** The rules (argv after `-D`) and private chains tagged with `id: "<containerId>"` by CNI plugins. */
export function findCniLeftovers(iptablesSave: string, containerId: string): { rules: string[][]; chains: string[] } {
  const needle = `id: \\"${containerId}\\"`;
  const rules: string[][] = [];
  const chains = new Set<string>();
  for (const line of iptablesSave.split('\n')) {
    if (!line.startsWith('-A ') || !line.includes(needle)) continue;
    const argv = splitRule(line).slice(1);
    rules.push(argv);
    const j = argv.indexOf('-j');
    const target = j >= 0 ? argv[j + 1] : undefined;
    if (target && /^CNI-(?!HOSTPORT-)/.test(target)) chains.add(target);
    if (argv[0] && /^CNI-(?!HOSTPORT-)/.test(argv[0])) chains.add(argv[0]);
  }
  return { rules, chains: [...chains] };
}

/** Deletes the nat rules and chains a container's CNI plugins left; returns what it removed. */
export async function removeCniRules(containerId: string): Promise<string[]> {
  const save = await run('iptables-save', ['-t', 'nat']).then((r) => r.stdout, () => '');
  const { rules, chains } = findCniLeftovers(save, containerId);
  const removed: string[] = [];
  // jumps from built-in chains first, so the private chains become deletable
  const ordered = [...rules].sort((a, b) => Number(chains.includes(a[0]!)) - Number(chains.includes(b[0]!)));
  for (const rule of ordered) {
    if (chains.includes(rule[0]!)) continue; // flushed with the chain
    await run('iptables', ['-w', '5', '-t', 'nat', '-D', ...rule]).then(() => removed.push(`nat rule ${rule.join(' ')}`), () => undefined);
  }
  for (const chain of chains) {
    await run('iptables', ['-w', '5', '-t', 'nat', '-F', chain]).catch(() => undefined);
    await run('iptables', ['-w', '5', '-t', 'nat', '-X', chain]).then(() => removed.push(`nat chain ${chain}`), () => undefined);
  }
  return removed;
}
