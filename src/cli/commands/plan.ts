/**
 * `berth plan [DIR] [--json]`: what applying the folder would change against
 * what was applied last ($BERTH_ROOT/applied.json until the agent answers):
 * units created, removed, restarted, reloaded or updated, which fields, and
 * a diff of each rendered file. Changes nothing. Exit 0 with the plan, 1
 * with the errors (as `berth validate` prints them).
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `plan` verb. */
export function register(program: Command): void {
  program
    .command('plan')
    .description('show what applying a unit folder would change (nothing is changed)')
    .argument('[dir]', 'unit folder', 'units')
    .option('--json', 'print the plan as JSON')
    .option('--secrets <dir>', 'secrets folder (default $BERTH_ROOT/secrets)')
    .option('--no-color', 'no ANSI colours')
    .action(async (dir: string, opts: { json?: boolean; secrets?: string; color: boolean }, cmd: Command) => {
      const { loadDesired } = await import('../../config/plan-desired.js');
      const { collectHostFacts } = await import('../../config/host-facts.js');
      const { defaultSecretsDir } = await import('../../config/secrets.js');
      const { readAppliedState } = await import('../../config/plan-state.js');
      const { planChanges } = await import('../../config/plan-changes.js');
      const { formatPlan } = await import('../../config/plan-format.js');
      const { redact, redactDeep } = await import('../../config/redact.js');
      const { formatError } = await import('../../errors.js');
      const root = readGlobals(cmd).root;
      const r = await loadDesired(dir, { secretsDir: opts.secrets ?? defaultSecretsDir(root), facts: collectHostFacts() });
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (r.errors.length > 0) {
        if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, errors: r.errors.map((e) => redactDeep(e.toJSON(), r.secretValues)) }, null, 2)}\n`);
        else for (const e of r.errors) process.stdout.write(`${redact(formatError(e), r.secretValues)}\n`);
        process.exitCode = 1;
        return;
      }
      const plan = planChanges(r.desired, await readAppliedState(root), { secretValues: r.secretValues });
      if (opts.json) process.stdout.write(`${JSON.stringify(redactDeep(plan, r.secretValues), null, 2)}\n`);
      else process.stdout.write(formatPlan(plan, { color: opts.color && process.stdout.isTTY === true }));
    });
}
