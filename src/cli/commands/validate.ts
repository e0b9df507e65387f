/**
 * `berth validate [DIR]`: checks every unit file in a folder (default
 * ./units). Prints a one-line summary and exits 0, or prints every error as
 * `file:line:col: key.path: message` (+ `  hint: …`) and exits 1.
 */
import type { Command } from 'commander';
import type { UnitSpec } from '../../config/unit-spec.js';

const PLURAL: Record<string, string> = { service: 'services', job: 'jobs', vm: 'vms', network: 'networks', volume: 'volumes' };
const ORDER = ['service', 'job', 'vm', 'network', 'volume'];

/** "6 units valid: 3 services, 1 job, 1 network, 1 volume". */
export function summarizeUnits(units: Pick<UnitSpec, 'kind'>[]): string {
  const counts = ORDER.map((k) => [k, units.filter((u) => u.kind === k).length] as const).filter(([, n]) => n > 0);
  const parts = counts.map(([k, n]) => `${n} ${n === 1 ? k : PLURAL[k]}`);
  return `${units.length} ${units.length === 1 ? 'unit' : 'units'} valid${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Registers the `validate` verb. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check the unit files in a folder and report every error with file:line:col')
    .argument('[dir]', 'unit folder', 'units')
    .option('--json', 'print {ok, units, errors} as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const { loadUnitDir } = await import('../../config/load-unit-dir.js');
      const { formatError } = await import('../../errors.js');
      const { units, errors, files } = await loadUnitDir(dir);
      if (opts.json) {
        const body = { ok: errors.length === 0, units: units.map((u) => u.name), errors: errors.map((e) => e.toJSON()) };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      } else if (errors.length === 0) {
        process.stdout.write(`${summarizeUnits(units)}\n`);
      } else {
        for (const e of errors) process.stdout.write(`${formatError(e)}\n`);
        const bad = new Set(errors.map((e) => e.file)).size;
        const n = errors.length;
        process.stdout.write(`${n} ${n === 1 ? 'error' : 'errors'} in ${bad} of ${Math.max(files.length, bad)} ${files.length === 1 ? 'file' : 'files'}\n`);
      }
      if (errors.length > 0) process.exitCode = 1;
    });
}
