/**
 * Short human durations for reasons and `berth why` ("800ms", "8s", "1m",
 * "2m30s", "1h5m"): the inverse of parseDuration, rounded to what a person
 * cares about.
 */

/** Formats milliseconds: below 10 s keeps one decimal at most; above, whole units. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Math.round(ms));
  if (v < 1000) return `${v}ms`;
  if (v < 10_000) return `${Number((v / 1000).toFixed(1))}s`;
  let s = Math.round(v / 1000);
  const d = Math.floor(s / 86_400); s -= d * 86_400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s && !d) parts.push(`${s}s`);
  return parts.join('');
}

/** A wall-clock time of day in UTC, e.g. "12:04:31 UTC" (pure: no local time zone). */
export function formatClock(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

/** Formats a byte count the way unit files write it ("64Mi", "1.5Gi", "512"). */
export function formatBytes(n: number): string {
  const units = ['Ki', 'Mi', 'Gi', 'Ti'];
  let v = n;
  let u = '';
  for (const next of units) {
    if (v < 1024) break;
    v /= 1024;
    u = next;
  }
  return `${Number(v.toFixed(1))}${u}`;
}
