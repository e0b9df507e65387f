/**
 * `berth render UNIT [--dir DIR] [--secrets DIR] [--show-secrets]`: prints
 * each rendered template of a unit under a header line saying where it goes
 * and where it came from. Secrets are shown as ••• unless --show-secrets.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `render` verb. */
export function register(program: Command): void {
  program
    .command('render')
    .description("print a unit's rendered templates (secrets shown as •••)")
    .argument('<unit>', 'unit name')
    .option('-d, --dir <dir>', 'unit folder', 'units')
    .option('--secrets <dir>', 'secrets folder (default $BERTH_ROOT/secrets)')
    .option('--show-secrets', 'print secret values instead of •••')
    .action(async (unit: string, opts: { dir: string; secrets?: string; showSecrets?: boolean }, cmd: Command) => {
      const { loadDesired } = await import('../../config/plan-desired.js');
      const { collectHostFacts } = await import('../../config/host-facts.js');
      const { defaultSecretsDir } = await import('../../config/secrets.js');
      const { redact } = await import('../../config/redact.js');
      const { formatError } = await import('../../errors.js');
      const { suggestionSuffix } = await import('../../config/did-you-mean.js');
      const secretsDir = opts.secrets ?? defaultSecretsDir(readGlobals(cmd).root);
      const r = await loadDesired(opts.dir, { secretsDir, facts: collectHostFacts(), only: unit });
      const hide = (s: string) => (opts.showSecrets ? s : redact(s, r.secretValues));
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (r.errors.length > 0) {
        for (const e of r.errors) process.stdout.write(`${hide(formatError(e))}\n`);
        process.exitCode = 1;
        return;
      }
      const found = r.desired[0];
      if (!found) {
        const all = await (await import('../../config/load-unit-dir.js')).loadUnitDir(opts.dir, { secretsDir });
        process.stderr.write(`berth: no unit \`${unit}\` in ${opts.dir}${suggestionSuffix(unit, all.units.map((u) => u.name))}\n`);
        process.exitCode = 1;
        return;
      }
      const { formatRenderedFiles } = await import('../../config/render-format.js');
      process.stdout.write(formatRenderedFiles(unit, found.files, { secretValues: r.secretValues, showSecrets: opts.showSecrets }));
    });
}
