/**
 * `berth inspect UNIT`: everything the agent knows about a unit, as JSON:
 * state, normalised spec, rendered files (hashes), observed status.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import { printJson } from '../output.js';

/** Registers the `inspect` verb. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('print everything known about a unit as JSON')
    .argument('<unit...>', 'unit names')
    .action(async (units: string[], _opts: unknown, cmd: Command) => {
      const client = clientFor(cmd);
      const out = [];
      for (const u of units) out.push(await client.get(`/v1/units/${encodeURIComponent(u)}`));
      printJson(out);
    });
}
