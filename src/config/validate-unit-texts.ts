/**
 * `validateUnitTexts`: the whole check of a folder of unit files, without
 * the disk — each file parsed and checked, then the folder-wide rules, then
 * every valid unit normalised. The loader and the tests both use it.
 */
import type { ConfigError } from '../errors.js';
import { normalizeUnit, type NormalizeOptions } from './normalize-unit.js';
import { parseUnitDocument } from './parse-unit-file.js';
import type { UnitFile } from './unit-schema.js';
import type { UnitSpec } from './unit-spec.js';
import { checkUnitSet, type LocatedUnit } from './validate-unit-refs.js';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The parts of a unit with schema errors that folder-wide rules can still use safely. */
function partialUnit(raw: Record<string, unknown>): UnitFile {
  const unit: UnitFile = { name: String(raw.name), kind: String(raw.kind) };
  if (isObj(raw.health)) unit.health = {};
  if (isObj(raw.after)) unit.after = Object.fromEntries(Object.entries(raw.after).filter(([, v]) => typeof v === 'string')) as UnitFile['after'];
  const attach = isObj(raw.network) ? raw.network.attach : undefined;
  if (Array.isArray(attach)) unit.network = { attach: attach.filter((a): a is string => typeof a === 'string') };
  return unit;
}

/** Orders errors by file, line, column, code. */
export function compareErrors(a: ConfigError, b: ConfigError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/**
 * Checks unit files given as text. `units` holds the normalised units only
 * when there are no errors at all (a half-valid folder is never applied);
 * `errors` holds every error of every file, sorted by file and line.
 */
export function validateUnitTexts(
  files: { file: string; text: string }[],
  options: NormalizeOptions = {},
): { units: UnitSpec[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const located: LocatedUnit[] = [];
  for (const { file, text } of files) {
    const parsed = parseUnitDocument(text, file);
    errors.push(...parsed.errors);
    const src = { file, locator: parsed.locator };
    if (parsed.shaped) located.push({ unit: parsed.shaped, src });
    else if (parsed.raw && typeof parsed.raw.name === 'string' && typeof parsed.raw.kind === 'string') {
      located.push({ unit: partialUnit(parsed.raw), src, partial: true });
    }
  }
  errors.push(...checkUnitSet(located));
  errors.sort(compareErrors);
  if (errors.length > 0) return { units: [], errors };
  const units = located.filter((u) => !u.partial).map((u) => normalizeUnit(u.unit, u.src.file, options)).sort((a, b) => a.name.localeCompare(b.name));
  return { units, errors };
}
