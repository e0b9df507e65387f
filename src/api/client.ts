/**
 * The API client the CLI and the dashboard use: JSON requests and NDJSON
 * streams over a unix socket or TCP (bearer token, optional TLS). Errors
 * come back as BerthError with the agent's code and hint; an agent that does
 * not answer is one line naming the address and how to start one.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { BerthError } from '../errors.js';

export interface ClientOptions {
  /** unix:///path, tcp://HOST:PORT or https://HOST:PORT */
  host: string;
  token?: string;
  tlsCa?: string;
  /** ms before a non-streaming request gives up (default 10 min: apply and build take time) */
  timeoutMs?: number;
}

/** A streamed request body (a build context tar). */
interface Upload {
  body: NodeJS.ReadableStream;
  contentType: string;
  /** set when reading the body failed */
  failed?: Error;
  req?: http.ClientRequest;
}

interface Target {
  socketPath?: string;
  hostname?: string;
  port?: number;
  tls: boolean;
}

/** Parses a --host value. */
export function parseHost(host: string): Target {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), tls: false };
  const m = /^(tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(host);
  if (!m) throw new BerthError('E_BAD_HOST', `--host must be unix:///path or tcp://HOST:PORT (got ${host})`, { hint: 'e.g. --host tcp://10.0.0.5:7777 --token …' });
  return { hostname: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]), tls: m[1] === 'https' };
}

/** A client of one agent. */
export class ApiClient {
  private readonly target: Target;

  constructor(private readonly opts: ClientOptions) {
    const target = parseHost(opts.host);
    // a CA to trust means TLS, also when the address is written tcp:// (as with docker --tlsverify)
    this.target = opts.tlsCa && !target.socketPath ? { ...target, tls: true } : target;
  }

  private request(method: string, path: string, body?: unknown, accept = 'application/json', upload?: Upload): Promise<http.IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const t = this.target;
    const headers: Record<string, string> = { accept };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (upload) headers['content-type'] = upload.contentType;
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const options: https.RequestOptions = {
      method, path, headers,
      ...(t.socketPath ? { socketPath: t.socketPath } : { hostname: t.hostname, port: t.port }),
      ...(t.tls && this.opts.tlsCa ? { ca: readFileSync(this.opts.tlsCa) } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (t.tls ? https : http).request(options, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(upload?.failed ?? this.unreachable(err)));
      if (upload) {
        upload.req = req;
        // a body that fails to read (a file gone while packing) ends the request with its own error
        upload.body.once('error', (err: Error) => {
          upload.failed = err;
          req.destroy(err);
        });
        upload.body.pipe(req);
        return;
      }
      if (payload) req.write(payload);
      req.end();
    });
  }

  private unreachable(err: NodeJS.ErrnoException): BerthError {
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(err.code ?? '')) {
      return new BerthError('E_TLS_UNTRUSTED', `TLS: ${err.message} at ${this.opts.host}; pass --tls-ca FILE (the agent's certificate or its CA)`, { cause: err });
    }
    const local = !!this.target.socketPath;
    const why = err.code === 'EACCES' ? 'permission denied (the socket is root-only: use sudo)' : err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'no agent answers' : err.message;
    // one line, no hint line: the address tried and how to get an agent there
    const next = local ? 'start one with: berth agent --units DIR' : 'check the address and that the agent runs with --listen';
    return new BerthError('E_AGENT_UNREACHABLE', `${why} at ${this.opts.host}; ${next}`, { cause: err });
  }

  private static async readBody(res: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private static toError(status: number, text: string): BerthError {
    try {
      const b = JSON.parse(text) as { code?: string; message?: string; hint?: string; errors?: { message: string; file?: string; line?: number; column?: number; path?: string; hint?: string }[] };
      const err = new BerthError(b.code ?? `E_HTTP_${status}`, b.message ?? text, b.hint ? { hint: b.hint } : {});
      if (b.errors) (err as BerthError & { errors?: unknown }).errors = b.errors;
      return err;
    } catch {
      return new BerthError(`E_HTTP_${status}`, `the agent answered ${status}: ${text.slice(0, 200)}`);
    }
  }

  /** A JSON request; throws BerthError on a non-2xx answer. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    const text = await ApiClient.readBody(res);
    if ((res.statusCode ?? 500) >= 300) throw ApiClient.toError(res.statusCode ?? 500, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /**
   * Streams an NDJSON response, calling `onValue` per line, until the server
   * ends it or the returned `stop` is called. Resolves when the stream ends.
   * With a `body` it is a POST (build, pull, push), else a GET.
   */
  stream<T>(path: string, onValue: (v: T) => void, body?: unknown): { done: Promise<void>; stop: () => void } {
    return this.readStream(() => this.request(body === undefined ? 'GET' : 'POST', path, body, 'application/x-ndjson'), onValue);
  }

  /**
   * Like `stream`, but POSTs `body` as the request body while it is read
   * (chunked, never buffered whole), e.g. a build context as
   * application/x-tar. The answer may start before the upload ends; `stop`
   * (or the end of the answer) stops sending. A body that fails to read
   * rejects `done` with its own error.
   */
  upload<T>(path: string, body: NodeJS.ReadableStream, contentType: string, onValue: (v: T) => void): { done: Promise<void>; stop: () => void } {
    const up: Upload = { body, contentType };
    const quit = () => {
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      // the answer is over (or given up): stop sending, also when the agent refused the rest
      if (up.req && !up.req.writableFinished) up.req.destroy();
    };
    const s = this.readStream(() => this.request('POST', path, undefined, 'application/x-ndjson', up), onValue);
    const done = s.done.then(
      () => {
        quit();
        if (up.failed) throw up.failed;
      },
      (err: unknown) => {
        quit();
        throw up.failed ?? err;
      },
    );
    return { done, stop: () => (quit(), s.stop()) };
  }

  private readStream<T>(open: () => Promise<http.IncomingMessage>, onValue: (v: T) => void): { done: Promise<void>; stop: () => void } {
    let res: http.IncomingMessage | undefined;
    let stopped = false;
    const done = (async () => {
      res = await open();
      if (stopped) {
        res.destroy();
        return;
      }
      if ((res.statusCode ?? 500) >= 300) throw ApiClient.toError(res.statusCode ?? 500, await ApiClient.readBody(res));
      let rest = '';
      for await (const chunk of res) {
        rest += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl).trim();
          rest = rest.slice(nl + 1);
          if (line) onValue(JSON.parse(line) as T);
        }
      }
    })().catch((err: unknown) => {
      if (!stopped) throw err;
    });
    return {
      done,
      stop: () => {
        stopped = true;
        res?.destroy();
      },
    };
  }
}
