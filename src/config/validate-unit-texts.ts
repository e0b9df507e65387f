/**
 * `validateUnitTexts`: the whole check of a folder of unit files, without
 * the disk — each file parsed and checked, then the folder-wide rules, then
 * every valid unit normalised. The loader and the tests both use it.
 */
import type { ConfigError } from '../errors.js';
import { normalizeUnit, type NormalizeOptions } from './normalize-unit.js';
import { parseUnitDocument } from './parse-unit-file.js';
import type { UnitSpec } from './unit-spec.js';
import { checkUnitSet, type LocatedUnit } from './validate-unit-refs.js';

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
    if (parsed.shaped) located.push({ unit: parsed.shaped, src: { file, locator: parsed.locator } });
  }
  errors.push(...checkUnitSet(located));
  errors.sort(compareErrors);
  if (errors.length > 0) return { units: [], errors };
  const units = located.map((u) => normalizeUnit(u.unit, u.src.file, options)).sort((a, b) => a.name.localeCompare(b.name));
  return { units, errors };
}
