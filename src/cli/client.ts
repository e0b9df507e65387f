/**
 * The API client for a CLI verb, from the global options.
 */
import type { Command } from 'commander';
import { ApiClient } from '../api/client.js';
import { readGlobals } from './globals.js';

/** An ApiClient for the agent the global options name. */
export function clientFor(cmd: Command): ApiClient {
  const g = readGlobals(cmd);
  return new ApiClient({ host: g.host, ...(g.token ? { token: g.token } : {}), ...(g.tlsCa ? { tlsCa: g.tlsCa } : {}) });
}
