/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a test registry that can
 * misbehave on purpose: flip a byte of a blob, cut a blob transfer short,
 * stall mid-blob, ignore Range, answer 5xx, or demand a bearer token from its own token
 * endpoint. It lets the tests see berth's client meet each failure for real.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/** What to do with one request (undefined: pass it through). */
export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'flip' }
  | { kind: 'cut'; after: number }
  | { kind: 'stall'; after: number }
  | { kind: 'strip-range' };

/** Options of a fault proxy. */
export interface FaultProxyOptions {
  target: string;
  /** Decides per request; `n` counts requests with the same method+path from 0. */
  fault?: (req: IncomingMessage, n: number) => Fault | undefined;
  /** Demand `Authorization: Bearer …` from a token endpoint checking these credentials. */
  bearer?: { username: string; password: string };
}

/** A running fault proxy. */
export interface FaultProxy {
  host: string;
  /** Every request seen: `METHOD path [range]`. */
  seen: string[];
  tokenRequests: string[];
  close(): Promise<void>;
}

/** Starts a fault proxy on a free port. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const counts = new Map<string, number>();
  const seen: string[] = [];
  const tokenRequests: string[] = [];
  const [thost, tport] = opts.target.split(':');
  let self = '';
  const token = 'tok-' + Math.random().toString(16).slice(2);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    if (opts.bearer && url.pathname === '/token') {
      tokenRequests.push(url.search);
      const want = `Basic ${Buffer.from(`${opts.bearer.username}:${opts.bearer.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    if (opts.bearer && req.headers.authorization !== `Bearer ${token}`) {
      const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(url.pathname)?.[1];
      const scope = repo ? `,scope="repository:${repo}:pull"` : '';
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="fault-proxy"${scope}`, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const key = `${req.method} ${url.pathname}`;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    const fault = opts.fault?.(req, n);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json' }).end(fault.body ?? '{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}');
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    if (fault?.kind === 'strip-range') delete headers.range;
    const up = request({ host: thost, port: Number(tport), method: req.method, path: req.url, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      if (fault?.kind === 'flip') {
        let flipped = false;
        ur.on('data', (c: Buffer) => {
          if (!flipped && c.length) {
            c = Buffer.from(c);
            c[0] = c[0]! ^ 0xff;
            flipped = true;
          }
          res.write(c);
        });
        ur.on('end', () => res.end());
      } else if (fault?.kind === 'stall') {
        let sent = 0;
        ur.on('data', (c: Buffer) => {
          if (sent >= fault.after) return;
          const part = c.subarray(0, fault.after - sent);
          sent += part.length;
          res.write(part);
        });
      } else if (fault?.kind === 'cut') {
        let sent = 0;
        ur.on('data', (c: Buffer) => {
          if (sent >= fault.after) return;
          const part = c.subarray(0, fault.after - sent);
          sent += part.length;
          res.write(part);
          if (sent >= fault.after) setTimeout(() => res.socket?.destroy(), 10);
        });
      } else {
        ur.pipe(res);
      }
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const srv = createServer(handle);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  self = `127.0.0.1:${(srv.address() as { port: number }).port}`;
  return {
    host: self,
    seen,
    tokenRequests,
    close: async () => {
      srv.closeAllConnections();
      srv.close();
      await once(srv, 'close').catch(() => undefined);
    },
  };
}
