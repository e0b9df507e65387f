/**
 * Renders `{{ … }}` in a unit's own strings — run.command, run.entrypoint,
 * run.env values, health.http / health.tcp host / health.exec — with the
 * same context as its templates, so `command: [httpd, -p, "{{ port }}"]`
 * works. Errors point at the unit file.
 */
import { ConfigError } from '../errors.js';
import { locateInUnit } from './render-locate.js';
import { createTemplateEnv, templateContext, type RenderContext } from './render-unit.js';
import { findFreeVariables, parseTemplate } from './template-free-vars.js';
import { parseNunjucksError, UNDEFINED_HINT, undefinedMessage } from './template-errors.js';
import { SandboxedLoader } from './template-loader.js';
import type { UnitSpec } from './unit-spec.js';
import type { KeyPath } from './yaml-locator.js';

const hasTag = (s: string) => s.includes('{{') || s.includes('{%');

/** A copy of `spec` with its strings rendered, and the errors met (the failed strings stay as written). */
export function renderUnitStrings(spec: UnitSpec, ctx: RenderContext, unitText?: string): { spec: UnitSpec; errors: ConfigError[] } {
  const context = templateContext(spec, ctx);
  const env = createTemplateEnv(new SandboxedLoader(spec.dir));
  const known = new Set([...Object.keys(context), ...Object.keys((env as unknown as { globals: object }).globals)]);
  const errors: ConfigError[] = [];
  const render = (value: string, path: KeyPath): string => {
    if (!hasTag(value)) return value;
    const where = () => ({ file: spec.file, ...locateInUnit(spec, path, unitText), path: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') });
    try {
      const free = findFreeVariables(parseTemplate(value) as Parameters<typeof findFreeVariables>[0], known);
      if (free.length > 0) {
        errors.push(new ConfigError('E_TEMPLATE', undefinedMessage([free[0]!.name], context), where(), { hint: UNDEFINED_HINT }));
        return value;
      }
      return env.renderString(value, context);
    } catch (err) {
      errors.push(new ConfigError('E_TEMPLATE', parseNunjucksError(err).message, where(), { hint: 'fix the {{ … }} expression in this string' }));
      return value;
    }
  };
  const list = (xs: string[] | undefined, path: KeyPath) => xs?.map((x, i) => render(x, [...path, i]));
  const out: UnitSpec = { ...spec, run: { ...spec.run } };
  if (spec.run.command) out.run.command = list(spec.run.command, ['run', 'command']);
  if (spec.run.entrypoint) out.run.entrypoint = list(spec.run.entrypoint, ['run', 'entrypoint']);
  out.run.env = Object.fromEntries(Object.entries(spec.run.env).map(([k, v]) => [k, render(v, ['run', 'env', k])]));
  if (spec.health) {
    const c = spec.health.check;
    const check =
      c.type === 'http' ? { ...c, url: render(c.url, ['health', 'http']) }
      : c.type === 'tcp' ? { ...c, host: render(c.host, ['health', 'tcp']) }
      : { ...c, command: list(c.command, ['health', 'exec'])! };
    out.health = { ...spec.health, check };
  }
  return { spec: out, errors };
}
