/**
 * The I/O half of `berth systemd export`: load a unit file (with its
 * folder, so references resolve) or a whole folder, export, and write the
 * files when asked.
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadUnitDir } from '../config/load-unit-dir.js';
import { exportUnits } from './export-units.js';

/** Exported files (with where they were written), warnings and errors. */
export interface ExportPathResult {
  files: { name: string; text: string; path?: string }[];
  warnings: string[];
  errors: ConfigError[];
}

/** Exports the unit file or folder at `target`; writes into `outDir` when given. */
export async function exportFromPath(target: string, outDir?: string, berth?: string[]): Promise<ExportPathResult> {
  const abs = resolve(target);
  let isDir = false;
  try { isDir = statSync(abs).isDirectory(); } catch { /* loadUnitDir reports it */ }
  const loaded = await loadUnitDir(isDir ? abs : dirname(abs));
  if (loaded.errors.length) return { files: [], warnings: [], errors: loaded.errors };
  const specs = isDir ? loaded.units : loaded.units.filter((u) => u.file === abs);
  if (!specs.length) return { files: [], warnings: [], errors: [new ConfigError('E_NO_UNITS', 'no unit found there', { file: abs, line: 1, column: 1 }, { hint: 'give a unit file (*.yaml) or a folder of them' })] };
  const r = exportUnits(specs, berth);
  const files = r.files.map((f) => ({ ...f }) as ExportPathResult['files'][number]);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    for (const f of files) {
      f.path = join(resolve(outDir), f.name);
      writeFileSync(`${f.path}.tmp`, f.text, { mode: 0o644 });
      renameSync(`${f.path}.tmp`, f.path);
    }
  }
  return { files, warnings: r.warnings, errors: [] };
}
