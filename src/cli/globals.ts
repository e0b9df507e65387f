/**
 * The global CLI options (--root, --host, --token, --tls-ca) as one typed
 * object, read from the root command so each verb file stays thin.
 */
import type { Command } from 'commander';

export interface Globals {
  root: string;
  host: string;
  token?: string;
  tlsCa?: string;
}

/** Walks up to the root command and returns its parsed global options. */
export function readGlobals(cmd: Command): Globals {
  let top: Command = cmd;
  while (top.parent) top = top.parent;
  const o = top.opts<{ root: string; host: string; token?: string; tlsCa?: string }>();
  return { root: o.root, host: o.host, token: o.token, tlsCa: o.tlsCa };
}
