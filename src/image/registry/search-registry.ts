/**
 * `berth search`: matches a term against a registry's catalog, and lists a
 * repository's tags. The distribution API has no search endpoint; a catalog
 * is the only listing, and many registries (Docker Hub among them) do not
 * offer one. That case is a value with a reason, not a failure.
 */
import { BerthError } from '../../errors.js';
import type { RegistryClient } from './registry-client.js';

/** One repository that matched. */
export interface SearchHit {
  repository: string;
  tags?: string[];
}

/** The outcome of a search. */
export type SearchResult =
  | { host: string; available: true; hits: SearchHit[]; truncated: boolean }
  | { host: string; available: false; reason: string };

/** Options of a search. */
export interface SearchOptions {
  /** Stop after this many matches (default 100). */
  limit?: number;
  /** Also list each match's tags. */
  tags?: boolean;
}

/** Splits `HOST[/TERM]` into host and term; a first part with `.`, `:` or `localhost` is a host. */
export function splitSearchTerm(text: string, defaultHost = 'docker.io'): { host: string; term: string } {
  const i = text.indexOf('/');
  const first = i < 0 ? text : text.slice(0, i);
  if (/[.:]/.test(first) || first === 'localhost') return { host: first, term: i < 0 ? '' : text.slice(i + 1) };
  return { host: defaultHost, term: text };
}

/** Repositories whose name contains `term` (case-insensitive), from the catalog. */
export async function searchRegistry(client: RegistryClient, term: string, opts: SearchOptions = {}): Promise<SearchResult> {
  const limit = opts.limit ?? 100;
  const needle = term.toLowerCase();
  const hits: SearchHit[] = [];
  let truncated = false;
  try {
    for await (const repo of client.catalog()) {
      if (!repo.toLowerCase().includes(needle)) continue;
      if (hits.length >= limit) {
        truncated = true;
        break;
      }
      hits.push({ repository: repo });
    }
  } catch (err) {
    if (err instanceof BerthError && ['E_CATALOG_UNAVAILABLE', 'E_REGISTRY_DENIED', 'E_REGISTRY_UNSUPPORTED'].includes(err.code)) {
      return { host: client.host, available: false, reason: `${client.host} does not offer a catalog of its repositories, so berth cannot search it (${err.message})` };
    }
    if (err instanceof BerthError && err.code === 'E_REGISTRY_AUTH' && client.host === 'docker.io') {
      return { host: client.host, available: false, reason: 'Docker Hub does not offer the registry catalog API; search on its website and berth pull NAME' };
    }
    throw err;
  }
  if (opts.tags) {
    for (const h of hits) h.tags = await client.listTags(h.repository);
  }
  return { host: client.host, available: true, hits, truncated };
}
