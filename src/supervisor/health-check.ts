/**
 * Health probes: one check, once. HTTP (a 2xx or 3xx answer in time), TCP
 * (a connection in time) and exec (exit 0 of a command run through the
 * driver's exec, passed in as a function so this file never imports a
 * driver). The HealthMonitor decides what results mean over time.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheck } from '../config/unit-spec.js';
import type { ExecResult } from '../runtime/driver.js';
import { formatDuration } from './format-duration.js';

/** The outcome of one probe; `output` is what `berth why` and the ledger show. */
export interface ProbeResult {
  ok: boolean;
  output: string;
}

/** A probe ready to run. */
export type Probe = () => Promise<ProbeResult>;

/** Runs argv inside the unit (the driver's exec, bound to the instance). */
export type ExecFn = (argv: string[], options: { timeoutMs: number }) => Promise<ExecResult>;

/** HTTP GET `url`: healthy on 2xx/3xx within `timeoutMs` (redirects are not followed). */
export function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    let done = false;
    const finish = (r: ProbeResult) => { if (!done) { done = true; resolve(r); } };
    const req = request(url, { method: 'GET', timeout: timeoutMs, headers: { 'user-agent': 'berth-health' } }, (res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < 200) body += d; });
      res.on('end', () => {
        const text = `HTTP ${status}${body.trim() ? `: ${body.trim().split('\n')[0]!.slice(0, 120)}` : ''}`;
        finish({ ok: status >= 200 && status < 400, output: text });
      });
      res.on('error', (e) => finish({ ok: false, output: e.message }));
    });
    req.on('timeout', () => { req.destroy(); finish({ ok: false, output: `no answer from ${url} within ${formatDuration(timeoutMs)}` }); });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, output: `${url}: ${e.code ?? e.message}` }));
    req.end();
  });
}

/** TCP connect to host:port within `timeoutMs`. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    const finish = (r: ProbeResult) => { sock.destroy(); resolve(r); };
    sock.once('connect', () => finish({ ok: true, output: `connected to ${host}:${port}` }));
    sock.once('timeout', () => finish({ ok: false, output: `no connection to ${host}:${port} within ${formatDuration(timeoutMs)}` }));
    sock.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, output: `${host}:${port}: ${e.code ?? e.message}` }));
  });
}

/** Runs the command inside the unit: healthy on exit code 0. */
export async function probeExec(exec: ExecFn, argv: string[], timeoutMs: number): Promise<ProbeResult> {
  try {
    const r = await exec(argv, { timeoutMs });
    const out = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-3).join('\n').slice(0, 300);
    const how = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    return { ok: r.code === 0 && !r.signal, output: out ? `${how}: ${out}` : how };
  } catch (err) {
    return { ok: false, output: `could not run ${argv.join(' ')}: ${(err as Error).message}` };
  }
}

/** Binds a unit's check to a probe. An exec check needs `exec`. */
export function createProbe(check: HealthCheck, timeoutMs: number, exec?: ExecFn): Probe {
  switch (check.type) {
    case 'http': return () => probeHttp(check.url, timeoutMs);
    case 'tcp': return () => probeTcp(check.host, check.port, timeoutMs);
    case 'exec': {
      if (!exec) throw new Error('an exec health check needs the driver’s exec');
      return () => probeExec(exec, check.command, timeoutMs);
    }
  }
}
