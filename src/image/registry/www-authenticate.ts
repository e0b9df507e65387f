/**
 * Parses a WWW-Authenticate header (RFC 7235) into its scheme and
 * parameters, e.g. `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`.
 */

/** One authentication challenge. */
export interface AuthChallenge {
  /** Lower-case scheme: `basic` or `bearer` (others are passed through). */
  scheme: string;
  params: Record<string, string>;
}

/** Parses the first challenge of a WWW-Authenticate header; undefined when empty. */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = m[2]!;
  re.lastIndex = 0;
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest)) !== null && p[0] !== '') {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}
