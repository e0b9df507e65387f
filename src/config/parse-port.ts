/**
 * Published port mappings (`[IP:]HOST:CONTAINER[/tcp|udp]`) parsed into
 * PortSpec. IPv6 host addresses are written in brackets: `[::1]:8080:80`.
 */
import { isIP } from 'node:net';
import type { PortSpec } from './unit-spec.js';

const PORT = /^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):)?([0-9]{1,5}):([0-9]{1,5})(?:\/(tcp|udp))?$/;

/** Parses a port mapping, or returns a reason it is not one. */
export function parsePort(text: string): PortSpec | { error: string } {
  const m = PORT.exec(text);
  if (!m) return { error: 'not [IP:]HOST:CONTAINER[/tcp|udp]' };
  const hostIp = m[1] === undefined ? '0.0.0.0' : m[1].replace(/^\[|\]$/g, '');
  if (isIP(hostIp) === 0) return { error: `\`${hostIp}\` is not an IP address` };
  const hostPort = Number(m[2]);
  const containerPort = Number(m[3]);
  for (const p of [hostPort, containerPort]) {
    if (p < 1 || p > 65535) return { error: `port ${p} is out of range 1-65535` };
  }
  return { hostIp, hostPort, containerPort, protocol: (m[4] ?? 'tcp') as 'tcp' | 'udp' };
}
