/**
 * `berth down [UNIT...]`: stop units in reverse dependency order (all, or
 * the named ones and everything that depends on them).
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import { printJson } from '../output.js';

/** Registers the `down` verb. */
export function register(program: Command): void {
  program
    .command('down')
    .description('stop units in reverse dependency order (all, or the named ones and their dependents)')
    .argument('[unit...]', 'unit names (default: all)')
    .option('--json', 'print JSON')
    .action(async (units: string[], opts: { json?: boolean }, cmd: Command) => {
      const r = await clientFor(cmd).post<{ stopped: string[] }>('/v1/down', { units });
      if (opts.json) return printJson(r);
      process.stdout.write(r.stopped.length ? `stopped: ${r.stopped.join(', ')}\n` : 'nothing to stop\n');
    });
}
