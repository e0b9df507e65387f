/**
 * Whether host ports are free right now: known holders, portmap rules in
 * `iptables-save`, then a bind probe (let go at once); when a socket holds
 * one, `ss` says who, for the error message.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { PortSpec } from '../../config/unit-spec.js';
import { BerthError } from '../../errors.js';
import { findPortClash, parsePortmapRules, parseSsOwner, portInUseError, type PortHolder } from './port-conflicts.js';

const run = promisify(execFile);

/** Undefined when `port` can be bound on the host; otherwise who holds it. */
export async function probeHostPort(port: PortSpec): Promise<string | undefined> {
  const host = port.hostIp || '0.0.0.0';
  const err = await tryBind(host, port.hostPort, port.protocol);
  if (!err) return undefined;
  if (err.code === 'EADDRNOTAVAIL') {
    throw new BerthError('E_PORT_ADDRESS', `cannot publish on ${host}: no interface of this host has that address`, {
      hint: 'use 127.0.0.1, 0.0.0.0 or an address shown by `ip -br addr`',
    });
  }
  if (err.code !== 'EADDRINUSE') return `the host (${err.code ?? err.message})`;
  const flag = port.protocol === 'udp' ? '-Hlunp' : '-Hltnp';
  const ss = await run('ss', [flag, `sport = :${port.hostPort}`]).then((r) => r.stdout, () => '');
  return parseSsOwner(ss) ?? 'another program on this host';
}

function tryBind(host: string, port: number, protocol: 'tcp' | 'udp'): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', (e) => { sock.close(); resolve(e); });
      sock.bind({ address: host, port, exclusive: true }, () => sock.close(() => resolve(undefined)));
      return;
    }
    const srv = createServer();
    srv.once('error', (e) => resolve(e));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/**
 * Throws E_PORT_IN_USE for the first wanted port that another instance
 * (`held`), any portmap rule on the host, or a host socket already holds.
 */
export async function checkPortsFree(id: string, wanted: PortSpec[], held: PortHolder[]): Promise<void> {
  const save = await run('iptables-save', ['-t', 'nat']).then((r) => r.stdout, () => '');
  const holders = [...held, ...parsePortmapRules(save).filter((h) => !h.by.startsWith(`container ${id} `))];
  const clash = findPortClash(wanted, holders);
  if (clash) throw portInUseError(clash.port, clash.by);
  for (const port of wanted) {
    const by = await probeHostPort(port);
    if (by) throw portInUseError(port, by);
  }
}
