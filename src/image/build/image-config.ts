/**
 * Small pure pieces of the image-config fold: Env as an ordered KEY=VALUE
 * list, port specs, Go durations, and history lines written the way
 * Docker's classic builder writes them (`/bin/sh -c #(nop)  CMD ["sh"]`).
 */
import type { ContainerConfig } from '../oci-types.js';
import type { ImageHealthcheck, ImageRunConfig } from './build-plan.js';

/** The shell Docker uses for shell forms when no SHELL was given. */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** The PATH Docker gives images and RUN steps that have none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Env list → map (later entries win). */
export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of env ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 0) out.set(kv, '');
    else out.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return out;
}

/** Sets KEY in an Env list, replacing it in place or appending. */
export function setEnv(env: readonly string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const at = out.findIndex((kv) => kv === key || kv.startsWith(`${key}=`));
  if (at >= 0) out[at] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : undefined);
const keys = (v: unknown): Record<string, Record<string, never>> | undefined =>
  v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).map((k) => [k, {}])) : undefined;

/** A stored image's `config` (nulls and unknown fields possible) → the fields a build folds over. */
export function fromContainerConfig(c: ContainerConfig | undefined): ImageRunConfig {
  if (!c) return {};
  const out: ImageRunConfig = {};
  const set = <K extends keyof ImageRunConfig>(k: K, v: ImageRunConfig[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('User', typeof c.User === 'string' && c.User !== '' ? c.User : undefined);
  set('ExposedPorts', keys(c.ExposedPorts));
  set('Env', strings(c.Env));
  set('Entrypoint', strings(c.Entrypoint));
  set('Cmd', strings(c.Cmd));
  set('Volumes', keys(c.Volumes));
  set('WorkingDir', typeof c.WorkingDir === 'string' && c.WorkingDir !== '' ? c.WorkingDir : undefined);
  set('Labels', c.Labels && typeof c.Labels === 'object' ? { ...c.Labels } : undefined);
  set('StopSignal', typeof c.StopSignal === 'string' && c.StopSignal !== '' ? c.StopSignal : undefined);
  set('Healthcheck', c.Healthcheck?.Test ? (structuredClone(c.Healthcheck) as ImageHealthcheck) : undefined);
  set('Shell', strings(c.Shell));
  set('OnBuild', strings(c.OnBuild));
  return out;
}

/** A deep copy, so folding never changes an earlier step's config. */
export function cloneConfig(config: ImageRunConfig): ImageRunConfig {
  return structuredClone(config);
}

/**
 * A metadata history line: the shell, `#(nop) `, then the comment. Docker
 * puts one space after `#(nop)` for WORKDIR/COPY/ADD and two for the rest.
 */
export function nopCreatedBy(config: ImageRunConfig, comment: string, oneSpace = false): string {
  return `${(config.Shell ?? DEFAULT_SHELL).join(' ')} #(nop) ${oneSpace ? '' : ' '}${comment}`;
}

/** Go's `%q` of a string slice, as Docker prints CMD/ENTRYPOINT: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp` …; undefined when not a port spec. */
export function parsePortSpec(spec: string): string[] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || to < from) return undefined;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  return Array.from({ length: to - from + 1 }, (_, i) => `${from + i}/${proto}`);
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (`30s`, `1m30s`, `500ms`, `0`) in nanoseconds; undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? Math.round(total) : undefined;
}

/** Go's `%v` of a time.Duration in nanoseconds (`30s`, `1m30s`, `0s`), for HEALTHCHECK history. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e9) return ns % 1e6 === 0 ? `${ns / 1e6}ms` : ns % 1e3 === 0 ? `${ns / 1e3}µs` : `${ns}ns`;
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns % 3600e9) / 60e9);
  const s = (ns % 60e9) / 1e9;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
