/**
 * Whether a host port is free right now: try to bind it (then let go), and
 * when it is taken ask `ss` who holds it, for the error message.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { PortSpec } from '../../config/unit-spec.js';
import { BerthError } from '../../errors.js';
import { parseSsOwner } from './port-conflicts.js';

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
