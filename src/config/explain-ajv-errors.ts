/**
 * Turns Ajv's raw errors into problems a person understands: one line per
 * problem, union noise collapsed, "did you mean" for unknown keys and enum
 * values, plain words for durations, sizes and other patterns. Pure; the
 * caller attaches file positions.
 */
import type { ErrorObject } from 'ajv';
import { suggestionSuffix } from './did-you-mean.js';
import { DURATION_PATTERN, NAME_PATTERN, SIZE_PATTERN } from './unit-schema.js';
import { formatKeyPath, type KeyPath } from './yaml-locator.js';

/** One schema problem: what, and which key or value it is about. */
export interface SchemaProblem {
  code: string;
  message: string;
  hint?: string;
  /** The key path the problem is about (shown to the user). */
  path: KeyPath;
  /** Where to point: the key path and whether at its key or its value. */
  where: KeyPath;
  at: 'key' | 'value';
}

type Schema = Record<string, unknown>;

/** Pattern → [code, what the value should be, hint]. */
const PATTERNS: Record<string, [string, string, string]> = {
  [DURATION_PATTERN]: ['E_DURATION', 'a duration', 'use e.g. 100ms, 5s, 1m'],
  [SIZE_PATTERN]: ['E_SIZE', 'a size', 'use e.g. 64Mi, 1G'],
  [NAME_PATTERN]: ['E_NAME', 'a valid name', 'use lower-case letters, digits, -, _ and ., starting and ending with a letter or digit (at most 63)'],
  '^/': ['E_PATH', 'an absolute path', 'start it with /, e.g. /data'],
  '^https?://': ['E_URL', 'an http(s) URL', 'use e.g. http://127.0.0.1:8080/health'],
  '^[^:]+:[0-9]{1,5}$': ['E_ADDRESS', 'a HOST:PORT address', 'use e.g. 127.0.0.1:5432'],
  '^0?[0-7]{3,4}$': ['E_MODE', 'an octal file mode', 'quote it, e.g. "0644"'],
  '^(SIG)?[A-Z0-9+-]+$': ['E_SIGNAL', 'a signal name', 'use e.g. SIGTERM, SIGHUP, SIGINT'],
  '^[0-9.]+/[0-9]{1,2}$': ['E_SUBNET', 'an IPv4 subnet', 'use CIDR form, e.g. 10.89.0.0/24'],
  '^[A-Za-z_][A-Za-z0-9_]*$': ['E_NAME', 'a valid variable name', 'use letters, digits and _, not starting with a digit'],
};
/** Hints for a wrong type at keys where habits from docker compose show up. */
const SHAPE_HINTS: Record<string, string> = {
  after: 'a mapping of unit → condition, e.g. `after: {db: healthy}`',
  'run.env': 'a mapping, e.g. `env: {MODE: prod}` (not a list of KEY=VALUE)',
  image: 'a mapping, e.g. `image: {from: busybox}`',
  volumes: 'a list, e.g. `- {name: data, path: /data}`',
  'network.ports': 'a list, e.g. `ports: ["8080:80"]`',
  'network.attach': 'a list, e.g. `attach: [default]`',
};
const PORT_HINT = 'use [IP:]HOST:CONTAINER[/tcp|udp], e.g. 8080:80 or 127.0.0.1:5353:53/udp';

/** Decodes a JSON pointer (`/volumes/0/path`) into a key path. */
export function pointerToPath(pointer: string): KeyPath {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describeValue(data: unknown): string {
  if (data === null || data === undefined) return 'nothing';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  const text = String(data);
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return typeof data === 'string' ? `\`${short}\`` : `${typeof data} ${short}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

function acceptsType(schema: Schema, data: unknown): boolean {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).some((s) => acceptsType(s, data));
  if ('const' in schema) return typeof schema.const === typeof data;
  switch (schema.type) {
    case 'string':
    case 'boolean':
      return typeof data === schema.type;
    case 'number':
    case 'integer':
      return typeof data === 'number';
    case 'array':
      return Array.isArray(data);
    case 'object':
      return data !== null && typeof data === 'object' && !Array.isArray(data);
    default:
      return true;
  }
}

function describeSchema(schema: Schema): string {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map(describeSchema).join(' or ');
  if ('const' in schema) return `\`${String(schema.const)}\``;
  if (typeof schema.pattern === 'string' && PATTERNS[schema.pattern]) return PATTERNS[schema.pattern]![1];
  if (schema.type === 'array' && schema.items && (schema.items as Schema).type === 'string') return 'a list of strings';
  return TYPE_WORDS[String(schema.type)] ?? 'a valid value';
}

function hasPattern(schema: Schema, pattern: string): boolean {
  if (schema.pattern === pattern) return true;
  return Array.isArray(schema.anyOf) && (schema.anyOf as Schema[]).some((s) => hasPattern(s, pattern));
}

/** Replaces each failed anyOf and its branch errors by the one branch that fits the value's type, or one summary. */
function collapseUnions(errors: ErrorObject[]): ErrorObject[] {
  let list = errors.slice();
  for (;;) {
    const unions = list.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    if (unions.length === 0) return list;
    const u = unions.reduce((a, b) => (b.schemaPath.length < a.schemaPath.length ? b : a));
    const prefix = `${u.schemaPath}/`;
    const sub = list.filter((e) => e.schemaPath.startsWith(prefix));
    list = list.filter((e) => e !== u && !sub.includes(e));
    const branches = (Array.isArray(u.schema) ? u.schema : []) as Schema[];
    const fitting = branches.map((b, i) => (acceptsType(b, u.data) ? i : -1)).filter((i) => i >= 0);
    const only = fitting.length === 1 ? sub.filter((e) => e.schemaPath.startsWith(`${prefix}${fitting[0]}/`)) : [];
    if (only.length > 0) list.push(...only);
    else list.push({ ...u, keyword: 'x-union' });
  }
}

function label(path: KeyPath): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the unit';
  if (typeof last === 'number') return `\`${formatKeyPath(path.slice(-2))}\``;
  return `\`${last}\``;
}

function explainOne(e: ErrorObject): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Schema;
  const what = label(path);
  const value = (code: string, message: string, hint?: string): SchemaProblem => ({ code, message, hint, path, where: path, at: 'value' });
  const got = describeValue(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyPath = [...path, key];
      const allowed = Object.keys((parent.properties ?? {}) as Schema);
      const patterns = Object.keys((parent.patternProperties ?? {}) as Schema);
      if (allowed.length === 0 && patterns.length > 0) {
        const [code, noun, hint] = PATTERNS[patterns[0]!] ?? ['E_KEY', 'a valid key', `keys must match ${patterns[0]}`];
        return { code, message: `key \`${key}\` is not ${noun}`, hint, path: keyPath, where: keyPath, at: 'key' };
      }
      const suggestion = suggestionSuffix(key, allowed);
      return {
        code: 'E_UNKNOWN_KEY',
        message: `unknown key \`${key}\`${suggestion}`,
        hint: suggestion || allowed.length === 0 ? undefined : `allowed ${path.length ? `in \`${formatKeyPath(path)}\`` : 'at the top'}: ${allowed.join(', ')}`,
        path: keyPath,
        where: keyPath,
        at: 'key',
      };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const where = path.length ? `\`${formatKeyPath(path)}\` needs` : 'a unit needs';
      return { code: 'E_REQUIRED', message: `missing key \`${missing}\`: ${where} \`${missing}\``, path: [...path, missing], where: path, at: 'key' };
    }
    case 'x-union': {
      const branches = (Array.isArray(e.schema) ? e.schema : []) as Schema[];
      if (branches.length > 0 && branches.every((b) => 'const' in b)) {
        const values = branches.map((b) => String(b.const));
        const suffix = typeof e.data === 'string' ? suggestionSuffix(e.data, values) : '';
        return value('E_ENUM', `${what} must be one of ${values.join(', ')} (got ${got})${suffix}`);
      }
      if (typeof e.data === 'string' && hasPattern(parent, SIZE_PATTERN)) return value('E_SIZE', `${what} is not a size: use e.g. 64Mi, 1G`);
      return value('E_TYPE', `${what} must be ${describeSchema(parent)} (got ${got})`);
    }
    case 'const':
    case 'enum':
      return value('E_ENUM', `${what} must be ${describeSchema(parent)} (got ${got})`);
    case 'type': {
      const known = typeof parent.pattern === 'string' ? PATTERNS[parent.pattern] : undefined;
      if (parent.pattern === DURATION_PATTERN) return value('E_DURATION', `${what} is not a duration: use e.g. 100ms, 5s, 1m (got ${got})`);
      if (known && known[0] === 'E_MODE') return value('E_MODE', `${what} is not ${known[1]} (got ${got})`, known[2]);
      const want = String((e.params as { type: string }).type);
      // YAML reads `user: 1000` or `on: yes` as a number or boolean; quoting keeps the text
      const quote = want === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean') ? `quote it: "${String(e.data)}"` : undefined;
      return value('E_TYPE', `${what} must be ${TYPE_WORDS[want] ?? want} (got ${got})`, quote ?? SHAPE_HINTS[formatKeyPath(path)]);
    }
    case 'pattern': {
      const pattern = String((e.params as { pattern: string }).pattern);
      if (pattern.includes('(/(tcp|udp))')) return value('E_PORT', `${what} is not a port mapping (got ${got})`, PORT_HINT);
      const known = PATTERNS[pattern];
      if (!known) return value('E_PATTERN', `${what} does not match ${pattern} (got ${got})`);
      const [code, noun, hint] = known;
      if (code === 'E_DURATION' || code === 'E_SIZE') return value(code, `${what} is not ${noun}: ${hint}`);
      return value(code, `${what} is not ${noun} (got ${got})`, hint);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const p = e.params as { comparison: string; limit: number };
      return value('E_RANGE', `${what} must be ${p.comparison} ${p.limit} (got ${got})`);
    }
    case 'minItems':
    case 'minLength':
      return value('E_EMPTY', `${what} must not be empty`);
    default:
      return value('E_SCHEMA', `${what} ${e.message ?? 'is not valid'}`);
  }
}

/** Explains Ajv errors (from a verbose, allErrors validator) as deduplicated problems. */
export function explainAjvErrors(errors: ErrorObject[]): SchemaProblem[] {
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of collapseUnions(errors)) {
    const p = explainOne(e);
    const id = `${formatKeyPath(p.path)}|${p.code}|${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(p);
  }
  return out;
}
