/**
 * Turns what a registry answers (status + its JSON error body) and what the
 * network does (refused, TLS, reset) into BerthErrors a person can act on.
 * Pure: the caller reads the body and passes it in.
 */
import { BerthError } from '../../errors.js';

/** What a request was about, so errors can name the image, tag or blob. */
export interface RequestContext {
  host: string;
  repo?: string;
  /** A tag or digest. */
  reference?: string;
  what: 'ping' | 'manifest' | 'blob' | 'upload' | 'catalog' | 'tags' | 'token' | 'delete';
  /** Whether credentials were sent with the request. */
  authenticated?: boolean;
}

/** One entry of the distribution API's `{errors:[{code,message,detail}]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Reads the registry's error entries from a body; [] when it has none. */
export function parseErrorBody(body: string): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors.filter((e): e is RegistryErrorEntry => typeof (e as RegistryErrorEntry)?.code === 'string');
  } catch {
    return [];
  }
}

function said(entries: RegistryErrorEntry[], body: string): string {
  if (entries.length) return entries.map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}`).join('; ');
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Maps a non-success HTTP answer to an error with a code, message and hint. */
export function errorFromStatus(status: number, body: string, ctx: RequestContext): BerthError {
  const entries = parseErrorBody(body);
  const reg = said(entries, body);
  const detail = reg ? ` (registry said: ${reg})` : '';
  const name = ctx.repo ? `${ctx.host}/${ctx.repo}` : ctx.host;
  const codes = new Set(entries.map((e) => e.code));
  if (status === 401) {
    return ctx.authenticated
      ? new BerthError('E_REGISTRY_AUTH', `${ctx.host} rejected the stored credentials${detail}`, { hint: `log in again: berth login ${ctx.host}` })
      : new BerthError('E_REGISTRY_AUTH', `login needed: berth login ${ctx.host}${detail}`, { hint: `run: berth login ${ctx.host} -u USER --password-stdin` });
  }
  if (status === 403) {
    return new BerthError('E_REGISTRY_DENIED', `${name}: access denied${detail}`, { hint: `the account used for ${ctx.host} may not ${ctx.what === 'upload' ? 'push to' : 'read'} this repository` });
  }
  if (status === 404) {
    if (ctx.what === 'catalog') {
      return new BerthError('E_CATALOG_UNAVAILABLE', `${ctx.host} does not offer a catalog (/v2/_catalog)${detail}`, { hint: 'search needs a registry that lists its repositories; pull a known name instead' });
    }
    if (codes.has('NAME_UNKNOWN') || ctx.what === 'tags') {
      return new BerthError('E_IMAGE_NOT_FOUND', `image ${name} not found${detail}`, { hint: 'check the repository name (berth search HOST/TERM lists what the registry has)' });
    }
    if (ctx.what === 'manifest') {
      const isDigest = ctx.reference?.startsWith('sha256:');
      return new BerthError(isDigest ? 'E_IMAGE_NOT_FOUND' : 'E_TAG_NOT_FOUND', `${isDigest ? 'manifest' : 'tag'} ${ctx.reference} not found in ${name}${detail}`, {
        hint: `list the tags with: berth search ${name} --tags`,
      });
    }
    if (ctx.what === 'blob') return new BerthError('E_BLOB_NOT_FOUND', `blob ${ctx.reference} not found in ${name}${detail}`, { hint: 'the image on the registry is incomplete; push it again' });
    if (ctx.what === 'ping') return new BerthError('E_REGISTRY_UNSUPPORTED', `${ctx.host} does not speak the registry API v2 (no /v2/)`, { hint: 'check the host and port' });
    return new BerthError('E_REGISTRY_ERROR', `${name}: not found${detail}`);
  }
  if (status === 405 || codes.has('UNSUPPORTED')) {
    return new BerthError('E_REGISTRY_UNSUPPORTED', `${ctx.host} does not allow this ${ctx.what} operation${detail}`, {
      hint: ctx.what === 'delete' ? 'the registry must be configured with storage.delete.enabled: true' : undefined,
    });
  }
  if (status === 429) return new BerthError('E_REGISTRY_RATE_LIMITED', `${ctx.host} is rate-limiting requests${detail}`, { hint: 'wait a while, or log in for a higher limit' });
  if (status >= 500) {
    return new BerthError('E_REGISTRY_UNAVAILABLE', `${ctx.host} answered ${status} for ${ctx.what}${ctx.repo ? ` of ${ctx.repo}` : ''}${detail}`, { hint: 'the registry is failing; try again later' });
  }
  if (codes.has('DIGEST_INVALID') || codes.has('BLOB_UPLOAD_INVALID') || codes.has('MANIFEST_INVALID') || codes.has('MANIFEST_BLOB_UNKNOWN')) {
    return new BerthError('E_REGISTRY_REJECTED', `${name} rejected the ${ctx.what}${detail}`, { hint: 'the content does not match its digest or references a missing blob' });
  }
  return new BerthError('E_REGISTRY_ERROR', `${name}: HTTP ${status} for ${ctx.what}${detail}`);
}

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

/** The system error code under undici's `TypeError: fetch failed`. */
export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True for failures worth retrying on an idempotent request (reset, timeout). */
export function isTransientNetworkError(err: unknown): boolean {
  const code = networkCode(err) ?? '';
  return /^(ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CLOSED|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/.test(code) ||
    (err instanceof TypeError && /terminated/.test(err.message));
}

/** Maps a fetch that failed before any answer (refused, DNS, TLS) to an error. */
export function errorFromNetwork(err: unknown, host: string, scheme: 'http' | 'https'): BerthError {
  const code = networkCode(err) ?? 'unknown';
  const local = /^(localhost|127\.|\[::1\])/.test(host);
  if (TLS_CODES.test(code)) {
    const why = code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' ? 'it may serve plain http' : code;
    return new BerthError('E_REGISTRY_TLS', `TLS with ${host} failed (${why})`, {
      cause: err,
      hint: `if ${host} serves plain http, pass --insecure or list it in BERTH_INSECURE_REGISTRIES${local ? ` (berth uses https for ${host} too; local registries are not insecure by default)` : ''}; for a private CA, add it to the system trust store or NODE_EXTRA_CA_CERTS`,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new BerthError('E_REGISTRY_UNREACHABLE', `cannot connect to ${host} over ${scheme}: connection refused`, {
      cause: err,
      hint: `is the registry running and listening on ${host}?${scheme === 'https' && local ? ' berth uses https for local registries too: pass --insecure if it serves plain http' : ''}`,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new BerthError('E_REGISTRY_UNREACHABLE', `cannot resolve registry host ${host}`, { cause: err, hint: 'check the registry name and your DNS' });
  }
  return new BerthError('E_REGISTRY_UNREACHABLE', `connection to ${host} failed (${code})`, { cause: err, hint: 'check the network and try again' });
}
