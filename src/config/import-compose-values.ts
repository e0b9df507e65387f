/**
 * Value converters for `berth import compose`: compose's ports, mounts,
 * sizes, durations and lists in berth's unit file forms. Each returns the
 * converted value, or a string explaining why it cannot be mapped.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { VolumeMount } from './unit-schema.js';

/** A conversion that may fail with a reason. */
export type Converted<T> = { ok: T } | { why: string };

/** `512m` → `512Mi`, `1g` → `1Gi`, `100k` → `100Ki`, numbers stay bytes (docker's units are binary). */
export function convertSize(v: unknown): Converted<string | number> {
  if (typeof v === 'number') return { ok: v };
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([bkmgt]?)i?b?\s*$/i.exec(String(v));
  if (!m) return { why: `size ${JSON.stringify(v)} not understood` };
  const unit = m[2]!.toLowerCase();
  return { ok: unit === '' || unit === 'b' ? `${m[1]}` : `${m[1]}${unit.toUpperCase()}i` };
}

/** Compose durations (`1m30s`, `10s`, `500ms`, `1h`) as berth durations. */
export function convertDuration(v: unknown): Converted<string> {
  const s = String(v).trim();
  if (/^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$/.test(s)) return { ok: s };
  if (/^([0-9]+(\.[0-9]+)?(us|µs|ns))+$/.test(s)) return { ok: '1ms' };
  if (/^[0-9]+$/.test(s)) return { ok: `${s}s` };
  return { why: `duration ${JSON.stringify(v)} not understood` };
}

/** `[A=b, C=d]` or `{A: b}` → a map; entries without a value are returned apart. */
export function convertKeyValues(v: unknown): { map: Record<string, string>; bare: string[] } {
  const map: Record<string, string> = {};
  const bare: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const i = s.indexOf('=');
      if (i < 0) bare.push(s);
      else map[s.slice(0, i)] = s.slice(i + 1);
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) bare.push(k);
      else map[k] = typeof x === 'string' ? x : String(x);
    }
  }
  return { map, bare };
}

/** A compose port (short `[IP:]HOST:CONTAINER[/proto]` or long form) as berth's `[IP:]HOST:CONTAINER[/proto]`. */
export function convertPort(p: unknown): Converted<string> {
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    if (o.published === undefined) return { why: `port ${o.target}: no published host port (berth publishes explicitly)` };
    const proto = o.protocol && o.protocol !== 'tcp' ? `/${o.protocol}` : '';
    return convertPort(`${o.host_ip ? `${o.host_ip}:` : ''}${o.published}:${o.target}${proto}`);
  }
  const s = String(p);
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[0-9]+\.[0-9.]+):)?(?:([0-9]+):)?([0-9]+)(\/(tcp|udp))?$/.exec(s);
  if (!m) return { why: `port ${JSON.stringify(s)}: ranges and this form are not supported` };
  if (!m[2]) return { why: `port ${JSON.stringify(s)}: no host port (berth publishes explicitly)` };
  return { ok: `${m[1] ? `${m[1]}:` : ''}${m[2]}:${m[3]}${m[4] ?? ''}` };
}

/** A path from the compose file, made relative to the output folder (where the unit files go). */
export function rebase(path: string, composeDir: string, outDir: string): string {
  if (path.startsWith('~')) return path;
  const abs = isAbsolute(path) ? path : resolve(composeDir, path);
  if (isAbsolute(path)) return path;
  const rel = relative(resolve(outDir), abs);
  return rel === '' ? '.' : rel;
}

/** A compose mount (short `SRC:DST[:ro]` or long form) as a berth volume mount. */
export function convertMount(v: unknown, composeDir: string, outDir: string, anonName: () => string): Converted<VolumeMount> & { note?: string } {
  let type: string;
  let source: string | undefined;
  let target: string;
  let readonly = false;
  let size: unknown;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    type = String(o.type ?? 'volume');
    source = o.source === undefined ? undefined : String(o.source);
    target = String(o.target ?? '');
    readonly = o.read_only === true;
    size = (o.tmpfs as Record<string, unknown> | undefined)?.size;
  } else {
    const parts = String(v).split(':');
    if (parts.length === 1) [target] = parts as [string];
    else [source, target] = parts as [string, string];
    readonly = (parts[2] ?? '').split(',').includes('ro');
    type = source === undefined ? 'volume' : /^[./~]/.test(source) ? 'bind' : 'volume';
  }
  if (!target.startsWith('/')) return { why: `mount ${JSON.stringify(v)}: target must be an absolute path` };
  const ro = readonly ? { readonly: true } : {};
  if (type === 'bind') return source ? { ok: { host: rebase(source, composeDir, outDir), path: target, ...ro } } : { why: 'bind mount without source' };
  if (type === 'tmpfs') {
    if (size === undefined) return { ok: { tmpfs: true, path: target } };
    const s = convertSize(size);
    return 'ok' in s ? { ok: { tmpfs: s.ok, path: target } } : s;
  }
  if (type !== 'volume') return { why: `mount type ${type} is not supported` };
  if (source === undefined) {
    const name = anonName();
    return { ok: { name, path: target, ...ro }, note: `anonymous volume at ${target} became the named volume ${name}` };
  }
  return { ok: { name: source, path: target, ...ro } };
}
