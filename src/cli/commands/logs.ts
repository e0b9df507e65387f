/**
 * `berth logs [-f] [--since 10m] [--tail N] UNIT`: a unit's output across
 * its restarts; -f follows until Ctrl-C.
 */
import type { Command } from 'commander';
import type { LogLine } from '../../supervisor/unit-logs.js';
import { clientFor } from '../client.js';
import { paint } from '../output.js';

/** Registers the `logs` verb. */
export function register(program: Command): void {
  program
    .command('logs')
    .description('show a unit\'s output (also of earlier instances); -f follows')
    .argument('<unit>', 'unit name')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--since <when>', 'only lines since a time (RFC 3339) or a duration ago (10m)')
    .option('-n, --tail <n>', 'only the last N lines', (v) => Number.parseInt(v, 10))
    .option('-t, --timestamps', 'show each line\'s time')
    .option('--json', 'print one JSON object per line')
    .action(async (unit: string, opts: { follow?: boolean; since?: string; tail?: number; timestamps?: boolean; json?: boolean }, cmd: Command) => {
      const q = new URLSearchParams();
      if (opts.since) q.set('since', opts.since);
      if (opts.tail !== undefined) q.set('tail', String(opts.tail));
      const print = (l: LogLine) => {
        if (opts.json) return void process.stdout.write(`${JSON.stringify(l)}\n`);
        const ts = opts.timestamps && l.time ? `${paint('dim', l.time)} ` : '';
        (l.stream === 'stderr' ? process.stderr : process.stdout).write(`${ts}${l.text}\n`);
      };
      const client = clientFor(cmd);
      const path = `/v1/units/${encodeURIComponent(unit)}/logs`;
      if (!opts.follow) {
        for (const l of await client.get<LogLine[]>(`${path}?${q}`)) print(l);
        return;
      }
      q.set('follow', 'true');
      const s = client.stream<LogLine>(`${path}?${q}`, print);
      process.once('SIGINT', () => s.stop());
      await s.done;
    });
}
