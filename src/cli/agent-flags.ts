/**
 * Checks of `berth agent` flags that commander cannot express: TLS needs a
 * certificate and its key together, and only means something for --listen.
 */
import { BerthError } from '../errors.js';

/** Throws E_USAGE with a hint when --tls-cert/--tls-key are given alone or without --listen. */
export function checkTlsFlags(o: { tlsCert?: string; tlsKey?: string; listen?: string[] }): void {
  if (o.tlsCert && !o.tlsKey) throw new BerthError('E_USAGE', '--tls-cert was given without --tls-key', { hint: 'pass both: --tls-cert server.crt --tls-key server.key' });
  if (o.tlsKey && !o.tlsCert) throw new BerthError('E_USAGE', '--tls-key was given without --tls-cert', { hint: 'pass both: --tls-cert server.crt --tls-key server.key' });
  if (o.tlsCert && !o.listen?.length) throw new BerthError('E_USAGE', '--tls-cert and --tls-key serve TCP, but no --listen address was given', { hint: 'add e.g. --listen tcp://0.0.0.0:7777 (the unix socket needs no TLS)' });
}
