/**
 * `loadUnitDir`: the one file in src/config that touches the disk. Reads
 * every `*.yaml` / `*.yml` file directly in a folder (one unit per file; sub
 * folders hold templates and are not read), then hands the texts to
 * validateUnitTexts. Every problem comes back as a ConfigError, never thrown.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, errorCode } from '../errors.js';
import type { UnitSpec } from './unit-spec.js';
import { compareErrors, validateUnitTexts } from './validate-unit-texts.js';

/** Options for loadUnitDir. */
export interface LoadUnitDirOptions {
  /** Folder that secret `file:` names are relative to (made absolute in the specs). */
  secretsDir?: string;
}

/** What loadUnitDir found: the units (only when there are no errors), all errors, and the files read. */
export interface LoadedUnits {
  units: UnitSpec[];
  errors: ConfigError[];
  files: string[];
}

const readProblem = (file: string, err: unknown, what: string): ConfigError =>
  new ConfigError('E_READ', `cannot read ${what}: ${errorCode(err) ?? (err instanceof Error ? err.message : String(err))}`, { file, line: 1, column: 1 }, {
    hint: errorCode(err) === 'ENOENT' ? 'check the path (commands that read units default to ./units)' : 'check the permissions',
  });

/** Reads and checks all unit files in `dir`; errors of all files in one run, sorted by file and line. */
export async function loadUnitDir(dir: string, options: LoadUnitDirOptions = {}): Promise<LoadedUnits> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => !e.isDirectory() && !e.name.startsWith('.') && /\.ya?ml$/.test(e.name)).map((e) => e.name).sort();
  } catch (err) {
    return { units: [], errors: [readProblem(dir, err, 'the unit folder')], files: [] };
  }
  const files = names.map((n) => join(dir, n));
  if (files.length === 0) {
    const e = new ConfigError('E_NO_UNITS', 'no unit files (*.yaml, *.yml) in this folder', { file: dir, line: 1, column: 1 }, { hint: 'write one, e.g. web.yaml with `name: web` and `kind: service`' });
    return { units: [], errors: [e], files };
  }
  const texts: { file: string; text: string }[] = [];
  const errors: ConfigError[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: await readFile(file, 'utf8') });
    } catch (err) {
      errors.push(readProblem(file, err, 'the unit file'));
    }
  }
  const result = validateUnitTexts(texts, options);
  errors.push(...result.errors);
  errors.sort(compareErrors);
  return { units: errors.length === 0 ? result.units : [], errors, files };
}
