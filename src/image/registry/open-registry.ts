/**
 * Makes a RegistryClient for a host the way the CLI and the agent want it:
 * credentials from `<root>/auth.json`, plain http only when asked for
 * (`--insecure`, or the host is listed in BERTH_INSECURE_REGISTRIES).
 */
import { loadCredentials, type Credentials } from './auth-store.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/** Options for opening a registry. */
export interface OpenRegistryOptions extends Partial<Omit<RegistryClientOptions, 'host'>> {
  /** The berth state directory holding auth.json. */
  root: string;
  /** Hosts that serve plain http (default: BERTH_INSECURE_REGISTRIES, comma-separated). */
  insecureHosts?: string[];
  /** Use these instead of auth.json. */
  credentials?: Credentials;
}

/** The hosts listed in BERTH_INSECURE_REGISTRIES. */
export function insecureHostsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BERTH_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** A client for `host` with its stored credentials. */
export async function openRegistry(host: string, opts: OpenRegistryOptions): Promise<RegistryClient> {
  const { root, insecureHosts, ...rest } = opts;
  const insecure = opts.insecure === true || (insecureHosts ?? insecureHostsFromEnv()).includes(host);
  const credentials = opts.credentials ?? (await loadCredentials(root, host));
  return new RegistryClient({ ...rest, host, insecure, credentials });
}
