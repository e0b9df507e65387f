/**
 * Writing systemd unit files (pure): quoting of command lines and
 * settings, and sections in order.
 */

/** One argument quoted for an Exec*= line: `%` → `%%`, `$` → `$$`, and C-style quotes when needed. */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (escaped !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** A whole command line for ExecStart=. */
export function execLine(argv: string[]): string {
  return argv.map(quoteExecArg).join(' ');
}

/** One Environment= value (`"K=V"`, quoted and with `%` escaped). */
export function environmentValue(key: string, value: string): string {
  return `"${`${key}=${value}`.replace(/%/g, '%%').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Sections → text; a value of undefined drops the line, an array repeats the key. */
export function renderUnitFile(header: string[], sections: [string, [string, string | number | string[] | undefined][]][]): string {
  const out: string[] = header.map((l) => `# ${l}`);
  for (const [name, entries] of sections) {
    if (out.length) out.push('');
    out.push(`[${name}]`);
    for (const [k, v] of entries) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) out.push(`${k}=${one}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** ms → a systemd time span (`1500ms`, `30s`, `5min`). */
export function timeSpan(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
