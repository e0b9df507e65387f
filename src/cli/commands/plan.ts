/**
 * `berth plan [DIR] [--json]`: what applying the folder would change against
 * what was applied last ($BERTH_ROOT/applied.json until the agent answers):
 * units created, removed, restarted, reloaded or updated, which fields, and
 * a diff of each rendered file. Changes nothing. Exit 0 with the plan, 1
 * with the errors (as `berth validate` prints them).
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';
import { errorCode } from '../../errors.js';
import type { Plan } from '../../config/plan-types.js';

interface ErrorJson { message: string; file?: string; line?: number; column?: number; path?: string; hint?: string }

/** Asks the agent for the plan (it compares with what runs); E_AGENT_UNREACHABLE when none answers. */
async function planOnAgent(dir: string, cmd: Command, host: string): Promise<{ plan: Plan; errors: ErrorJson[] }> {
  const { clientFor } = await import('../client.js');
  const { folderPayload } = await import('../folder-payload.js');
  return clientFor(cmd).post<{ plan: Plan; errors: ErrorJson[] }>('/v1/plan', await folderPayload(dir, host));
}

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
      const g = readGlobals(cmd);
      const root = g.root;
      // Against the running agent when one answers: it knows what runs now.
      const remote = await planOnAgent(dir, cmd, g.host).catch((err: unknown) => (errorCode(err) === 'E_AGENT_UNREACHABLE' ? undefined : Promise.reject(err)));
      if (remote) {
        if (remote.errors.length > 0) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, errors: remote.errors }, null, 2)}\n`);
          else for (const e of remote.errors) process.stdout.write(`${e.file ? `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}` : ''}${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}\n`);
          process.exitCode = 1;
          return;
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(remote.plan, null, 2)}\n`);
        else process.stdout.write(formatPlan(remote.plan, { color: opts.color && process.stdout.isTTY === true }));
        return;
      }
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
