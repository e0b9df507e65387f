/**
 * `berth login` / `berth logout`: check credentials against the registry
 * (GET /v2/ with basic auth, or a token from its token service) before
 * storing them, so a typo is caught at login and not at the next pull.
 */
import { BerthError } from '../../errors.js';
import { authKey, removeCredentials, saveCredentials, type Credentials } from './auth-store.js';
import { openRegistry, type OpenRegistryOptions } from './open-registry.js';

/** What login did. */
export interface LoginResult {
  host: string;
  /** The scheme the registry uses: none, basic or bearer. */
  auth: string;
}

/** Verifies `creds` against `host` and stores them in `<root>/auth.json` (0600). */
export async function loginRegistry(host: string, creds: Credentials, opts: OpenRegistryOptions): Promise<LoginResult> {
  if (!creds.username) throw new BerthError('E_USAGE', 'login needs a user name', { hint: `berth login ${host} -u USER --password-stdin` });
  if (!creds.password) throw new BerthError('E_USAGE', 'login needs a password', { hint: `echo PASSWORD | berth login ${host} -u ${creds.username} --password-stdin` });
  const client = await openRegistry(host, { ...opts, credentials: creds });
  const ping = await client.ping();
  await saveCredentials(opts.root, host, creds);
  return { host: authKey(host), auth: ping.auth };
}

/** Forgets the credentials of `host`; false when there were none. */
export function logoutRegistry(host: string, root: string): Promise<boolean> {
  return removeCredentials(root, host);
}
