/**
 * `berth kill [-s SIG] UNIT...`: signal a unit's running instance (default
 * SIGKILL); the restart policy does not bring it back.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';

/** Registers the `kill` verb. */
export function register(program: Command): void {
  program
    .command('kill')
    .description('send a signal to running units (default KILL); they stay down')
    .argument('<unit...>', 'unit names')
    .option('-s, --signal <sig>', 'signal name or number', 'KILL')
    .action(async (units: string[], opts: { signal: string }, cmd: Command) => {
      const client = clientFor(cmd);
      for (const unit of units) {
        await client.post(`/v1/units/${encodeURIComponent(unit)}/kill`, { signal: opts.signal });
        process.stdout.write(`${unit}\n`);
      }
    });
}
