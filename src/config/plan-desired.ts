/**
 * From a unit folder to what `berth plan` and `berth render` need: load and
 * validate the units, resolve their secrets, render their templates and
 * strings. Collects every error of every unit; never throws for bad input.
 */
import { isAbsolute, relative } from 'node:path';
import { ConfigError } from '../errors.js';
import type { HostFacts } from './host-facts.js';
import { loadUnitDir } from './load-unit-dir.js';
import type { DesiredUnit } from './plan-types.js';
import { renderUnitStrings } from './render-unit-strings.js';
import { renderUnit } from './render-unit.js';
import { resolveSecrets } from './secrets.js';

/** The folder's units rendered, every secret value in play (for redaction), errors and warnings. */
export interface LoadedDesired {
  desired: DesiredUnit[];
  secretValues: string[];
  errors: ConfigError[];
  warnings: string[];
  files: string[];
}

/** The same error with its file relative to `cwd` when it lies beneath it, as `berth validate` prints unit files. */
export function relativeToCwd(e: ConfigError, cwd = process.cwd()): ConfigError {
  const rel = relative(cwd, e.file);
  if (!isAbsolute(e.file) || rel.startsWith('..') || isAbsolute(rel)) return e;
  return new ConfigError(e.code, e.message, { file: rel, line: e.line, column: e.column, path: e.path }, { hint: e.hint, cause: e.cause });
}

/** Loads `dir`, resolves secrets under `secretsDir`, renders with `facts`. `only` limits rendering to one unit. */
export async function loadDesired(dir: string, options: { secretsDir: string; facts: HostFacts; only?: string; env?: Record<string, string | undefined> }): Promise<LoadedDesired> {
  const loaded = await loadUnitDir(dir, { secretsDir: options.secretsDir });
  const out: LoadedDesired = { desired: [], secretValues: [], errors: [...loaded.errors], warnings: [], files: loaded.files };
  for (const spec of loaded.units) {
    if (options.only !== undefined && spec.name !== options.only) continue;
    const secrets = resolveSecrets(spec, { secretsDir: options.secretsDir, env: options.env });
    out.errors.push(...secrets.errors.map((e) => relativeToCwd(e)));
    out.warnings.push(...secrets.warnings);
    out.secretValues.push(...Object.values(secrets.values));
    const ctx = { facts: options.facts, secrets: secrets.values };
    const strings = renderUnitStrings(spec, ctx);
    const rendered = await renderUnit(spec, ctx);
    out.errors.push(...[...strings.errors, ...rendered.errors].map((e) => relativeToCwd(e)));
    out.desired.push({ spec: strings.spec, files: rendered.files });
  }
  return out;
}
