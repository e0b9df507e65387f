/**
 * Answers a registry's authentication challenges: basic credentials, or the
 * bearer token flow (WWW-Authenticate: Bearer realm,service,scope → GET the
 * realm with basic credentials → `Authorization: Bearer TOKEN`). Tokens are
 * cached per scope until they expire, so a pull asks once per repository.
 */
import { BerthError } from '../../errors.js';
import type { Credentials } from './auth-store.js';
import { errorFromNetwork, errorFromStatus } from './registry-errors.js';
import type { AuthChallenge } from './www-authenticate.js';

/** What the authenticator needs from the outside world (injected for tests). */
export interface AuthenticatorOptions {
  host: string;
  credentials?: Credentials;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** The `scope` of a repository request, e.g. `repository:library/busybox:pull,push`. */
export function repositoryScope(repo: string, actions: 'pull' | 'push' | 'pull,push' | 'delete' | '*'): string {
  return `repository:${repo}:${actions}`;
}

/** Holds the scheme a registry asked for and the tokens it handed out. */
export class Authenticator {
  private scheme: 'none' | 'basic' | 'bearer' = 'none';
  private readonly tokens = new Map<string, CachedToken>();
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** True when credentials are configured. */
  get hasCredentials(): boolean {
    return this.opts.credentials !== undefined;
  }

  /** The Authorization header for a request with these scopes, if one is known. */
  headerFor(scopes: string[]): string | undefined {
    if (this.scheme === 'basic' && this.opts.credentials) return basicHeader(this.opts.credentials);
    if (this.scheme === 'bearer') {
      const hit = this.tokens.get(scopes.join(' '));
      if (hit && hit.expiresAt > this.now()) return `Bearer ${hit.token}`;
    }
    return undefined;
  }

  /**
   * Handles a 401 challenge for a request with `scopes`. Returns true when a
   * retry now carries new credentials, false when there is nothing new to try.
   */
  async answer(challenge: AuthChallenge | undefined, scopes: string[], sentHeader: string | undefined): Promise<boolean> {
    if (!challenge) return false;
    if (challenge.scheme === 'basic') {
      this.scheme = 'basic';
      return this.opts.credentials !== undefined && sentHeader === undefined;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new BerthError('E_REGISTRY_AUTH', `${this.opts.host} asks for ${challenge.scheme} authentication, which berth does not support`, { hint: 'berth supports basic and bearer token authentication' });
    }
    this.scheme = 'bearer';
    const token = await this.fetchToken(challenge, scopes);
    this.tokens.set(scopes.join(' '), token);
    return true;
  }

  private async fetchToken(challenge: AuthChallenge, scopes: string[]): Promise<CachedToken> {
    const url = new URL(challenge.params.realm!);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const wanted = scopes.length ? scopes : challenge.params.scope ? challenge.params.scope.split(' ') : [];
    for (const s of wanted) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.credentials) headers.authorization = basicHeader(this.opts.credentials);
    let res: Response;
    try {
      res = await this.fetchFn(url, { headers });
    } catch (err) {
      throw errorFromNetwork(err, url.host, url.protocol === 'http:' ? 'http' : 'https');
    }
    const body = await res.text();
    if (!res.ok) throw errorFromStatus(res.status, body, { host: this.opts.host, what: 'token', authenticated: this.hasCredentials });
    let doc: { token?: string; access_token?: string; expires_in?: number };
    try {
      doc = JSON.parse(body) as typeof doc;
    } catch (err) {
      throw new BerthError('E_REGISTRY_AUTH', `the token service of ${this.opts.host} sent no JSON`, { cause: err });
    }
    const token = doc.token ?? doc.access_token;
    if (!token) throw new BerthError('E_REGISTRY_AUTH', `the token service of ${this.opts.host} sent no token`);
    // The spec's default lifetime is 60 s; renew a little early.
    const life = (typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60) * 1000;
    return { token, expiresAt: this.now() + Math.max(life - 5000, life / 2) };
  }
}

/** `Basic base64(user:pass)`. */
export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
