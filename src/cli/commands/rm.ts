/**
 * `berth rm [-f] UNIT...`: remove units (containers made by run/create; a
 * folder unit comes back on the next apply). -f stops a running one first.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';

/** Registers the `rm` verb. */
export function register(program: Command): void {
  program
    .command('rm')
    .description('remove units (-f: stop them first)')
    .argument('<unit...>', 'unit names')
    .option('-f, --force', 'stop a running unit before removing it')
    .action(async (units: string[], opts: { force?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      for (const unit of units) {
        await client.call('DELETE', `/v1/units/${encodeURIComponent(unit)}${opts.force ? '?force=true' : ''}`);
        process.stdout.write(`${unit}\n`);
      }
    });
}
