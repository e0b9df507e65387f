/**
 * Image references parsed the Docker way, as a pure module: `busybox` means
 * `docker.io/library/busybox:latest`; `host:5000/team/app:v1@sha256:…` keeps
 * its registry, path, tag and digest. The store keys images by the canonical
 * form and shows people the familiar one.
 */
import { BerthError } from '../errors.js';

/** The registry used when a reference names none (as Docker does). */
export const DEFAULT_DOMAIN = 'docker.io';

/** A parsed image reference. `tag` is 'latest' unless a digest alone was given. */
export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

function invalid(text: string, why: string): BerthError {
  return new BerthError('E_BAD_REFERENCE', `invalid image reference "${text}": ${why}`, {
    hint: 'write it as NAME[:TAG][@DIGEST], e.g. busybox, busybox:1.36, localhost:5000/team/app:v1',
  });
}

/** Parses `[domain/]path[:tag][@digest]`; throws E_BAD_REFERENCE with a hint. */
export function parseReference(text: string): ImageReference {
  if (text.length === 0) throw invalid(text, 'it is empty');
  if (text.length > 255 + 128 + 80) throw invalid(text, 'it is too long');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(text, `"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `"${tag}" is not a valid tag`);
  }
  if (rest.length === 0) throw invalid(text, 'the name is missing');
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) throw invalid(text, `"${first}" is not a registry host`);
    domain = first;
    parts.shift();
  }
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      const why = part !== part.toLowerCase() ? 'repository names must be lowercase' : `"${part}" is not a valid name component`;
      throw invalid(text, why);
    }
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  const out: ImageReference = { domain, path: parts.join('/') };
  if (tag === undefined && digest === undefined) out.tag = 'latest';
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** `domain/path` — the repository, without tag or digest. */
export function repositoryOf(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `docker.io/library/busybox:latest`. Stored in the index. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryOf(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The familiar repository name people type: `busybox`, `team/app`, `localhost:5000/app`. */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryOf(ref);
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}

/** The familiar string: `busybox:latest`. */
export function familiarReference(ref: ImageReference): string {
  return `${familiarRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Parses and returns the canonical string in one step (`busybox` → `docker.io/library/busybox:latest`). */
export function normalizeReference(text: string): string {
  return formatReference(parseReference(text));
}
