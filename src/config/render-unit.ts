/**
 * Renders a unit's templates with nunjucks: the unit's vars at the top
 * level, plus `host` (facts), `secrets` and `unit` (name, kind). autoescape
 * is off (these are config files, not HTML); an undefined variable is an
 * error naming it. Templates are confined to the unit's folder. Never
 * throws: every failure is a ConfigError at the template's file:line:col.
 */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import nunjucks from 'nunjucks';
import { ConfigError } from '../errors.js';
import type { HostFacts } from './host-facts.js';
import { locateInUnit } from './render-locate.js';
import { boundNames, findFreeVariables, parseTemplate, type FreeVariable } from './template-free-vars.js';
import { templateError, UNDEFINED_HINT, undefinedMessage } from './template-errors.js';
import { SandboxedLoader } from './template-loader.js';
import type { OnChange } from './unit-schema.js';
import type { UnitSpec } from './unit-spec.js';

/** One rendered file, ready to bake into the unit's top layer. */
export interface RenderedFile {
  /** absolute path inside the unit */
  dest: string;
  content: string;
  mode: number;
  onChange: OnChange;
  /** the template, relative to the unit folder (e.g. `web/httpd.conf.njk`) */
  src: string;
  /** sha256 of content, hex */
  sha256: string;
}

/** What templates may see besides the unit's vars. */
export interface RenderContext {
  facts: HostFacts;
  secrets: Record<string, string>;
}

/** Items one render may iterate through `range()` before it is stopped (a runaway loop guard). */
export const RANGE_BUDGET = 1_000_000;

/** The variables a unit's templates see. Reserved names win over vars of the same name. */
export function templateContext(spec: UnitSpec, ctx: RenderContext): Record<string, unknown> {
  return { ...spec.vars, host: ctx.facts, secrets: ctx.secrets, unit: { name: spec.name, kind: spec.kind } };
}

/** sha256 of a string, hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A nunjucks environment over `loader`, with a budgeted `range`. */
export function createTemplateEnv(loader: nunjucks.ILoader): nunjucks.Environment {
  const env = new nunjucks.Environment(loader, { autoescape: false, throwOnUndefined: true });
  let used = 0;
  env.addGlobal('range', (start: number, stop?: number, step = 1) => {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    const n = step === 0 ? Infinity : Math.max(0, Math.ceil((to - from) / step));
    used += n;
    if (!Number.isFinite(n) || used > RANGE_BUDGET) throw new Error(`range() went past ${RANGE_BUDGET} items in one render: a runaway loop?`);
    return Array.from({ length: n }, (_v, i) => from + i * step);
  });
  return env;
}

/** Names a template may read without defining them: the context plus nunjucks globals. */
function knownNames(env: nunjucks.Environment, context: Record<string, unknown>): Set<string> {
  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  return new Set([...Object.keys(context), ...Object.keys(globals)]);
}

/** Renders one template of a unit; a file or an error. */
function renderOne(spec: UnitSpec, index: number, context: Record<string, unknown>): RenderedFile | ConfigError {
  const t = spec.templates[index]!;
  const loader = new SandboxedLoader(spec.dir);
  const env = createTemplateEnv(loader);
  const name = relative(loader.root, t.src);
  let src: string;
  try {
    src = loader.getSource(name).src;
  } catch {
    const p = loader.problem!;
    const at = locateInUnit(spec, ['templates', index, 'src']);
    return new ConfigError('E_TEMPLATE_PATH', p.message, { file: spec.file, ...at, path: `templates[${index}].src` }, { hint: p.hint });
  }
  const where = () => ({ file: t.src, problem: loader.problem, sources: loader.sources, context });
  const undefinedAt = (file: string, v: FreeVariable) =>
    new ConfigError('E_TEMPLATE', undefinedMessage([v.name], context), { file, line: v.line, column: v.column }, { hint: UNDEFINED_HINT });
  try {
    const known = knownNames(env, context);
    const ast = parseTemplate(src) as Parameters<typeof findFreeVariables>[0];
    const free = findFreeVariables(ast, known);
    if (free.length > 0) return undefinedAt(t.src, free[0]!);
    // included, imported and extended templates see their includer's names: check them against all names bound so far
    for (const n of boundNames(ast)) known.add(n);
    let inner: ConfigError | undefined;
    loader.onSource = (path, text) => {
      if (inner || path === t.src) return;
      try {
        const sub = parseTemplate(text) as Parameters<typeof findFreeVariables>[0];
        for (const n of boundNames(sub)) known.add(n);
        const v = findFreeVariables(sub, known)[0];
        if (v) inner = undefinedAt(path, v);
      } catch {
        // a syntax error: nunjucks reports it with its position when it compiles the file
      }
    };
    const content = env.render(name, context);
    if (inner) return inner;
    return { dest: t.dest, content, mode: t.mode, onChange: t.onChange, src: name, sha256: sha256(content) };
  } catch (err) {
    return templateError(err, where());
  }
}

/** Renders every template of a unit. Errors for all templates, not only the first. */
export async function renderUnit(spec: UnitSpec, ctx: RenderContext): Promise<{ files: RenderedFile[]; errors: ConfigError[] }> {
  const context = templateContext(spec, ctx);
  const files: RenderedFile[] = [];
  const errors: ConfigError[] = [];
  for (let i = 0; i < spec.templates.length; i++) {
    const r = renderOne(spec, i, context);
    if (r instanceof ConfigError) errors.push(r);
    else files.push(r);
  }
  return { files, errors };
}
