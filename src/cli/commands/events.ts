/**
 * `berth events [-f] [--since SEQ] [UNIT]`: the ledger — every start, exit,
 * restart, health change, reload, drift and user action, numbered.
 */
import type { Command } from 'commander';
import type { BerthEvent } from '../../supervisor/events.js';
import { clientFor } from '../client.js';
import { paint } from '../output.js';

/** One line for an event: time, seq, type, unit and the interesting fields. */
export function formatEvent(e: BerthEvent): string {
  const { seq, time, type, ...rest } = e as BerthEvent & Record<string, unknown>;
  const unit = typeof rest.unit === 'string' ? rest.unit : '';
  delete rest.unit;
  const detail = Object.entries(rest)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : JSON.stringify(v)}`)
    .join(' ');
  const t = new Date(time).toISOString().replace('T', ' ').slice(0, 23);
  const color = /failed|crash|unhealthy|exited/.test(type) ? 'red' : /healthy|started|finished|completed/.test(type) ? 'green' : 'cyan';
  return `${paint('dim', t)} ${String(seq).padStart(5)} ${paint(color, type.padEnd(18))} ${unit.padEnd(12)} ${detail}`;
}

/** Registers the `events` verb. */
export function register(program: Command): void {
  program
    .command('events')
    .description('show the event ledger (optionally of one unit); -f follows live')
    .argument('[unit]', 'only this unit')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--since <seq>', 'only events after this sequence number', (v) => Number.parseInt(v, 10))
    .option('--type <types>', 'only these event types (comma-separated)')
    .option('-n, --limit <n>', 'at most N events (without -f)', (v) => Number.parseInt(v, 10))
    .option('--json', 'print one JSON object per line')
    .action(async (unit: string | undefined, opts: { follow?: boolean; since?: number; type?: string; limit?: number; json?: boolean }, cmd: Command) => {
      const q = new URLSearchParams();
      if (unit) q.set('unit', unit);
      if (opts.since !== undefined) q.set('since', String(opts.since));
      if (opts.type) q.set('type', opts.type);
      if (opts.limit) q.set('limit', String(opts.limit));
      const print = (e: BerthEvent) => process.stdout.write(`${opts.json ? JSON.stringify(e) : formatEvent(e)}\n`);
      const client = clientFor(cmd);
      if (!opts.follow) {
        for (const e of await client.get<BerthEvent[]>(`/v1/events?${q}`)) print(e);
        return;
      }
      q.set('follow', 'true');
      const s = client.stream<BerthEvent>(`/v1/events?${q}`, print);
      process.once('SIGINT', () => s.stop());
      await s.done;
    });
}
