/**
 * `berth top UNIT`: the processes of a unit's running instance.
 */
import type { Command } from 'commander';
import type { ProcessInfo } from '../../supervisor/agent.js';
import { clientFor } from '../client.js';
import { printJson, table } from '../output.js';

/** Registers the `top` verb. */
export function register(program: Command): void {
  program
    .command('top')
    .description('list the processes of a unit')
    .argument('<unit>', 'unit name')
    .option('--json', 'print JSON')
    .action(async (unit: string, opts: { json?: boolean }, cmd: Command) => {
      const ps = await clientFor(cmd).get<ProcessInfo[]>(`/v1/units/${encodeURIComponent(unit)}/top`);
      if (opts.json) return printJson(ps);
      const mb = (n?: number) => (n === undefined ? '–' : `${(n / 1048576).toFixed(1)}M`);
      process.stdout.write(table(['PID', 'PPID', 'USER', 'CPU%', 'RSS', 'COMMAND'], ps.map((p) => [String(p.pid), String(p.ppid), p.user, p.cpuPercent?.toFixed(1) ?? '–', mb(p.rssBytes), p.command])));
    });
}
