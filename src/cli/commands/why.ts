/**
 * `berth why UNIT`: why the unit is in its state and why it last restarted,
 * in one paragraph, from the ledger.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';

/** Registers the `why` verb. */
export function register(program: Command): void {
  program
    .command('why')
    .description('explain in one paragraph why a unit is in its state and why it last restarted')
    .argument('<unit>', 'unit name')
    .option('--json', 'print JSON')
    .action(async (unit: string, opts: { json?: boolean }, cmd: Command) => {
      const r = await clientFor(cmd).get<{ unit: string; why: string }>(`/v1/units/${encodeURIComponent(unit)}/why`);
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${r.why}\n`);
    });
}
