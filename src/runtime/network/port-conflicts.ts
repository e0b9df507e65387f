/**
 * Which published ports are already taken, pure: by another instance's
 * stored mapping, or by a portmap DNAT rule seen in `iptables-save -t nat`
 * (another state dir's or a leftover's). Host sockets are probed in
 * `port-probe.ts`.
 */
import { BerthError } from '../../errors.js';
import type { PortSpec } from '../../config/unit-spec.js';

/** A published port somebody already holds, and who. */
export interface PortHolder {
  hostIp: string;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  by: string;
}

/** `IP:PORT/proto` as users write it. */
export function formatPort(p: { hostIp: string; hostPort: number; protocol: string }): string {
  return `${p.hostIp || '0.0.0.0'}:${p.hostPort}/${p.protocol}`;
}

/** True when two mappings cannot both exist: same protocol and port, and the same or a wildcard address. */
export function portsClash(a: { hostIp: string; hostPort: number; protocol: string }, b: { hostIp: string; hostPort: number; protocol: string }): boolean {
  const any = (ip: string) => ip === '' || ip === '0.0.0.0';
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === b.hostIp || any(a.hostIp) || any(b.hostIp));
}

/** The first clash between the wanted ports (including among themselves) and the holders. */
export function findPortClash(wanted: PortSpec[], holders: PortHolder[]): { port: PortSpec; by: string } | undefined {
  for (const [i, port] of wanted.entries()) {
    const held = holders.find((h) => portsClash(port, h));
    if (held) return { port, by: held.by };
    const self = wanted.slice(0, i).find((w) => portsClash(port, w));
    if (self) return { port, by: `another mapping of the same instance (${formatPort(self)})` };
  }
  return undefined;
}

/** The error for a taken port, before anything is created. */
export function portInUseError(port: PortSpec, by: string): BerthError {
  return new BerthError('E_PORT_IN_USE', `port ${port.hostIp || '0.0.0.0'}:${port.hostPort}/${port.protocol} is already in use by ${by}`, {
    hint: `publish another host port (e.g. -p ${port.hostIp && port.hostIp !== '0.0.0.0' ? `${port.hostIp}:` : ''}${port.hostPort + 1}:${port.containerPort}), or stop what holds it`,
  });
}

/** Portmap DNAT rules in `iptables-save -t nat` output, with the container id from their comment. */
export function parsePortmapRules(iptablesSave: string): PortHolder[] {
  const owner = new Map<string, string>(); // CNI-DN chain → `id "…" on network "…"`
  const dnat: { chain: string; ip: string; port: number; proto: 'tcp' | 'udp' }[] = [];
  for (const line of iptablesSave.split('\n')) {
    if (line.startsWith('-A CNI-HOSTPORT-DNAT ')) {
      const m = /name: \\"([^\\]*)\\" id: \\"([^\\]*)\\".* -j (CNI-DN-\S+)/.exec(line);
      if (m) owner.set(m[3]!, `container ${m[2]} (CNI network ${m[1]})`);
      continue;
    }
    const m = /^-A (CNI-DN-\S+) (.*)-j DNAT/.exec(line);
    if (!m) continue;
    const port = /--dport (\d+)/.exec(m[2]!);
    const proto = /-p (tcp|udp)/.exec(m[2]!);
    if (!port || !proto) continue;
    const ip = /-d (\d+\.\d+\.\d+\.\d+)\/32/.exec(m[2]!)?.[1] ?? '0.0.0.0';
    dnat.push({ chain: m[1]!, ip, port: Number(port[1]), proto: proto[1] as 'tcp' | 'udp' });
  }
  return dnat.map((d) => ({ hostIp: d.ip, hostPort: d.port, protocol: d.proto, by: owner.get(d.chain) ?? `a CNI port mapping (${d.chain})` }));
}

/** The process holding a port, from `ss -Hlnp` output (`users:(("node",pid=12,fd=3))`). */
export function parseSsOwner(ssOutput: string): string | undefined {
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(ssOutput);
  return m ? `process ${m[1]} (pid ${m[2]})` : undefined;
}
