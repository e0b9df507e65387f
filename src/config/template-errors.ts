/**
 * Turns what nunjucks throws (parse and runtime errors alike) into a
 * ConfigError at the template's file:line:col, naming undefined variables
 * with a "did you mean" where one is close.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { parseTemplate } from './template-free-vars.js';
import type { LoaderProblem } from './template-loader.js';

/** Where and what, parsed out of a nunjucks error message. */
export interface NunjucksErrorParts {
  file?: string;
  line: number;
  column: number;
  message: string;
}

// nested includes repeat the header, each after a "Template render error: " prefix
const HEADER = /^\s*(?:(?:Template render error|Error): )?\(([^)\n]*)\)(?: \[Line (\d+)(?:, Column (\d+))?\])?$/;

/** Splits nunjucks' "(path) [Line L, Column C]\n  message" (nested once per include level). */
export function parseNunjucksError(err: unknown): NunjucksErrorParts {
  const raw = err instanceof Error ? err.message : String(err);
  const lines = raw.split('\n');
  let file: string | undefined;
  let line = 0;
  let column = 0;
  let i = 0;
  for (; i < lines.length; i++) {
    const m = HEADER.exec(lines[i]!);
    if (!m) break;
    // the innermost template is the last header; only it carries a position
    if (m[1] && m[1] !== 'unknown path') file = m[1];
    if (m[2]) {
      line = Number(m[2]);
      column = Number(m[3] ?? 1);
    }
  }
  const props = err as { lineno?: unknown; colno?: unknown };
  if (line === 0 && typeof props?.lineno === 'number') {
    line = props.lineno;
    column = typeof props.colno === 'number' ? props.colno : 1;
  }
  const message = lines.slice(i).join('\n').trim().replace(/^Error: /, '') || raw;
  return { file, line: Math.max(1, line), column: Math.max(1, column), message };
}

interface AstLike { typename: string; lineno: number; colno: number; value?: unknown; children?: AstLike[]; [k: string]: unknown }

/** The expression printed by the `{{ … }}` at a 1-based position, as `a.b.c`, when simple enough. */
export function describeOutputAt(src: string, line: number, column: number): string[] | undefined {
  let ast: AstLike;
  try {
    ast = parseTemplate(src) as AstLike;
  } catch {
    return undefined;
  }
  let found: AstLike | undefined;
  const visit = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const node = n as AstLike;
    if (typeof node.typename !== 'string') return;
    if (node.typename === 'Output' && node.lineno + 1 === line && node.colno + 1 === column) {
      found = node.children?.[0];
      return;
    }
    for (const f of (node as unknown as { fields: string[] }).fields ?? []) visit(node[f]);
  };
  visit(ast);
  const path: string[] = [];
  let cur = found;
  while (cur) {
    if (cur.typename === 'Symbol') {
      path.unshift(String(cur.value));
      return path;
    }
    if (cur.typename === 'LookupVal' && (cur.val as AstLike)?.typename === 'Literal') {
      path.unshift(String((cur.val as AstLike).value));
      cur = cur.target as AstLike;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Where the first `| name` filter is used in a template (nunjucks reports unknown filters without a position). */
function findFilter(src: string, name: string): { line: number; column: number } | undefined {
  let ast: AstLike;
  try {
    ast = parseTemplate(src) as AstLike;
  } catch {
    return undefined;
  }
  let found: { line: number; column: number } | undefined;
  const visit = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const node = n as AstLike;
    if (typeof node.typename !== 'string') return;
    const fname = node.name as AstLike | undefined;
    if (node.typename === 'Filter' && fname?.value === name) {
      found = { line: fname.lineno + 1, column: fname.colno + 1 };
      return;
    }
    for (const f of (node as unknown as { fields: string[] }).fields ?? []) visit(node[f]);
  };
  visit(ast);
  return found;
}

/** "undefined variable `prot` — did you mean `port`?" or "undefined value `host.cpu` — did you mean `host.cpus`?" */
export function undefinedMessage(path: string[], context: Record<string, unknown>): string {
  let obj: unknown = context;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const here = obj && typeof obj === 'object' ? (obj as Record<string, unknown>) : undefined;
    if (i === 0 && path.length > 1 && here && !(key in here)) {
      // a loop or `set` variable: not in the context, so only the whole path can be named
      return `undefined value \`${path.join('.')}\``;
    }
    if (!here || !(key in here) || here[key] === undefined || here[key] === null) {
      const what = i === 0 ? 'variable' : 'value';
      const prefix = path.slice(0, i).join('.');
      const best = here ? didYouMean(key, Object.keys(here)) : undefined;
      const suggestion = best === undefined ? '' : ` — did you mean \`${prefix ? `${prefix}.` : ''}${best}\`?`;
      return `undefined ${what} \`${path.slice(0, i + 1).join('.')}\`${suggestion}`;
    }
    obj = here[key];
  }
  return `undefined value \`${path.join('.')}\``;
}

/** What to do about an undefined variable. */
export const UNDEFINED_HINT = 'define it under `vars:` in the unit file, or write `{{ x | default("…") }}` / `{% if x is defined %}`';

/** Converts a nunjucks failure into a ConfigError; `sources` maps template paths to their text. */
export function templateError(
  err: unknown,
  where: { file: string; problem?: LoaderProblem; sources: Map<string, string>; context: Record<string, unknown> },
): ConfigError {
  const parts = parseNunjucksError(err);
  const file = parts.file ?? where.file;
  if (where.problem) {
    return new ConfigError('E_TEMPLATE_PATH', where.problem.message, { file, line: parts.line, column: parts.column }, { hint: where.problem.hint });
  }
  let message = parts.message;
  let hint = 'fix the template; see the nunjucks docs for syntax';
  const src = where.sources.get(file);
  const filter = /^filter not found: (\S+)/.exec(message);
  if (filter && src !== undefined) {
    const at = findFilter(src, filter[1]!);
    if (at) Object.assign(parts, at);
    hint = 'see the nunjucks docs for the built-in filters (default, join, upper, replace, int, …)';
  } else if (/end of file/.test(message) && src !== undefined && parts.line === 1 && parts.column === 1) {
    const lines = src.replace(/\n$/, '').split('\n');
    parts.line = lines.length;
    parts.column = lines[lines.length - 1]!.length + 1;
  }
  if (/attempted to output null or undefined value/.test(message)) {
    const path = src === undefined ? undefined : describeOutputAt(src, parts.line, parts.column);
    message = path ? undefinedMessage(path, where.context) : 'undefined value in {{ … }}';
    hint = UNDEFINED_HINT;
  } else if (/^(TypeError|RangeError|ReferenceError): /.test(message)) {
    message = `template failed: ${message}`;
  }
  return new ConfigError('E_TEMPLATE', message, { file, line: parts.line, column: parts.column }, { hint });
}
