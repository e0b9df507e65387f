/**
 * Finds the `rel="next"` target of a Link header (RFC 8288), which the
 * distribution API uses to page catalogs and tag lists.
 */

/** The absolute URL of the next page, or undefined on the last page. */
export function nextLink(header: string | null | undefined, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(m[2]!)) return new URL(m[1]!, base).href;
  }
  return undefined;
}
