/**
 * `berth ps [-a] [-q] [--json]`: units and their state, like `docker ps`.
 */
import type { Command } from 'commander';
import type { UnitView } from '../../supervisor/agent.js';
import { clientFor } from '../client.js';
import { ago, printJson, stateLabel, table } from '../output.js';

/** Registers the `ps` verb. */
export function register(program: Command): void {
  program
    .command('ps')
    .alias('status')
    .description('list units and their state (running ones; -a for all)')
    .option('-a, --all', 'show every unit, also stopped and failed ones')
    .option('-q, --quiet', 'print names only')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; quiet?: boolean; json?: boolean }, cmd: Command) => {
      const units = await clientFor(cmd).get<UnitView[]>('/v1/units');
      const shown = opts.all ? units : units.filter((u) => !['exited', 'created', 'completed'].includes(u.state) || u.desired === 'up');
      if (opts.json) return printJson(shown);
      if (opts.quiet) return void process.stdout.write(shown.map((u) => `${u.name}\n`).join(''));
      const now = Date.now();
      const rows = shown.map((u) => [
        u.name, u.kind, u.isolation, u.image ?? '–', stateLabel(u.state),
        String(u.restarts) + (u.lastExit?.reason && u.restarts ? ` (${u.lastExit.reason.split(';')[0]})` : ''),
        u.startedAt ? ago(now - u.startedAt) : '–',
        u.ports.join(', ') || '–',
      ]);
      process.stdout.write(table(['NAME', 'KIND', 'ISOLATION', 'IMAGE', 'STATE', 'RESTARTS', 'UP', 'PORTS'], rows));
    });
}
