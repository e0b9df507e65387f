/**
 * Text tables for `berth images` and `berth history` (pure: rows and a
 * clock in, lines out), so the CLI verbs stay thin and the format is tested.
 */
import type { HistoryRow, ImageSummary } from './image-views.js';

/** `1.2 MB`-style sizes (decimal units, as Docker prints them). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

/** `5 minutes ago`-style ages; `N/A` for a missing or unparsable time. */
export function timeAgo(iso: string | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return 'N/A';
  const s = Math.max(0, Math.round((now - t) / 1000));
  const steps: Array<[number, string]> = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month'], [Infinity, 'year']];
  let v = s;
  for (const [size, name] of steps) {
    if (v < size) return v <= 1 && name === 'second' ? 'Less than a second ago' : `${Math.floor(v)} ${name}${Math.floor(v) === 1 ? '' : 's'} ago`;
    v /= size;
  }
  return 'long ago';
}

/** Left-aligned columns separated by three spaces. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The short form of a digest: 12 hex digits. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `berth images`: REPOSITORY TAG DIGEST CREATED SIZE. */
export function formatImages(rows: ImageSummary[], now: number): string {
  return formatTable(['REPOSITORY', 'TAG', 'DIGEST', 'CREATED', 'SIZE'],
    rows.map((r) => [r.repository, r.tag, shortDigest(r.digest), timeAgo(r.created, now), humanSize(r.size)]));
}

/** `berth history`: LAYER CREATED CREATED BY SIZE COMMENT, newest first. */
export function formatHistory(rows: HistoryRow[], now: number, width = 60): string {
  const cut = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  return formatTable(['LAYER', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
    rows.map((r) => [r.layer ? shortDigest(r.layer) : '<missing>', timeAgo(r.created, now), cut(r.createdBy.replace(/\s+/g, ' ')), humanSize(r.size), r.comment ?? '']));
}
