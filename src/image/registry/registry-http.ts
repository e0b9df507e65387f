/**
 * One HTTP exchange with a registry: builds the URL (https unless insecure),
 * attaches auth, answers one 401 challenge, retries idempotent requests on
 * 5xx/429 and dropped connections with backoff, and turns every other
 * failure into a BerthError. Knows nothing about images.
 */
import { Readable } from 'node:stream';
import type { Credentials } from './auth-store.js';
import { Authenticator } from './authenticator.js';
import { errorFromNetwork, errorFromStatus, isTransientNetworkError, type RequestContext } from './registry-errors.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** How to reach one registry. */
export interface RegistryHttpOptions {
  /** `host[:port]` as the user wrote it (`docker.io` is mapped to its API host). */
  host: string;
  /** Plain http instead of https. Never implied, not even for localhost. */
  insecure?: boolean;
  credentials?: Credentials;
  /** Retries for idempotent requests after the first try (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry (default 250). */
  backoffMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  userAgent?: string;
}

/** A request body: bytes, or a factory so a retry can send it again. */
export type RequestBody = Buffer | string | (() => Readable);

/** One request. `path` is relative to the registry (`/v2/...`) or absolute. */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  scopes: string[];
  ctx: Omit<RequestContext, 'host'>;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Statuses returned to the caller instead of thrown (2xx always are). */
  allow?: number[];
  /** Safe to retry on 5xx and dropped connections (default: GET/HEAD/PUT/DELETE). */
  idempotent?: boolean;
  signal?: AbortSignal;
}

/** Maps Docker Hub's aliases to its API endpoint; other hosts are as given. */
export function registryEndpoint(host: string): string {
  const h = host.toLowerCase();
  return h === 'docker.io' || h === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The transport a RegistryClient uses; one per registry host. */
export class RegistryHttp {
  readonly host: string;
  readonly base: string;
  readonly auth: Authenticator;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: RegistryHttpOptions) {
    this.host = opts.host;
    this.base = `${opts.insecure ? 'http' : 'https'}://${registryEndpoint(opts.host)}`;
    this.fetchFn = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? sleepReal;
    this.auth = new Authenticator({ host: opts.host, credentials: opts.credentials, fetch: this.fetchFn, now: opts.now });
  }

  /** The absolute URL for a registry path or a Location header value. */
  url(path: string): URL {
    return new URL(path, this.base);
  }

  /** Waits the backoff for retry number `attempt` (0-based). */
  backoff(attempt: number): Promise<void> {
    return this.sleep((this.opts.backoffMs ?? 250) * 2 ** attempt);
  }

  /** Max retries of an idempotent request. */
  get retries(): number {
    return this.opts.retries ?? 3;
  }

  /** Sends `req`; returns the response for 2xx and `allow`ed statuses, throws otherwise. */
  async request(req: RegistryRequest): Promise<Response> {
    const idempotent = req.idempotent ?? (req.method !== 'POST' && req.method !== 'PATCH');
    const ctx: RequestContext = { host: this.host, ...req.ctx };
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      const authorization = this.auth.headerFor(req.scopes);
      let res: Response;
      try {
        res = await this.send(req, authorization);
      } catch (err) {
        if (req.signal?.aborted) throw err;
        if (idempotent && attempt < this.retries && isTransientNetworkError(err)) {
          await this.backoff(attempt);
          continue;
        }
        throw errorFromNetwork(err, this.host, this.opts.insecure ? 'http' : 'https');
      }
      if (res.status === 401 && !authRetried) {
        await res.body?.cancel();
        authRetried = true;
        const challenge = parseWwwAuthenticate(res.headers.get('www-authenticate'));
        if (await this.auth.answer(challenge, req.scopes, authorization)) {
          attempt--;
          continue;
        }
        throw errorFromStatus(401, '', { ...ctx, authenticated: authorization !== undefined || this.auth.hasCredentials });
      }
      if ((res.ok && res.status < 300) || req.allow?.includes(res.status)) return res;
      const body = req.method === 'HEAD' ? '' : await res.text().catch(() => '');
      if (idempotent && attempt < this.retries && (res.status >= 500 || res.status === 429)) {
        await this.backoff(attempt);
        continue;
      }
      throw errorFromStatus(res.status, body, { ...ctx, authenticated: authorization !== undefined });
    }
  }

  private send(req: RegistryRequest, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'berth', ...req.headers };
    if (authorization) headers.authorization = authorization;
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, redirect: 'follow', signal: req.signal };
    if (typeof req.body === 'function') {
      init.body = Readable.toWeb(req.body()) as unknown as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    } else if (req.body !== undefined) {
      init.body = req.body;
    }
    return this.fetchFn(this.url(req.path), init);
  }
}
