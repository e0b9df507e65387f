/**
 * `berth start|stop|restart|reload|pause|unpause|reset UNIT...`: one verb
 * each, all the same shape (POST /v1/units/NAME/ACTION), so they are
 * declared as a table here rather than seven copies of one file.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import { printJson, stateLabel } from '../output.js';

const ACTIONS: [string, string][] = [
  ['start', 'start units (each after its dependencies)'],
  ['stop', 'stop units (signal, timeout, then SIGKILL); they stay down across agent restarts'],
  ['restart', 'restart units'],
  ['reload', 'reload units (their reload command, else their reload signal)'],
  ['pause', 'freeze units (cgroup freezer)'],
  ['unpause', 'thaw paused units'],
  ['reset', 'clear a failed or crash-looping unit\'s restart history and try again'],
];

/** Registers the unit action verbs. */
export function register(program: Command): void {
  for (const [action, description] of ACTIONS) {
    program
      .command(action)
      .description(description)
      .argument('<unit...>', 'unit names')
      .option('--json', 'print the units\' new states as JSON')
      .action(async (units: string[], opts: { json?: boolean }, cmd: Command) => {
        const client = clientFor(cmd);
        const results: unknown[] = [];
        for (const unit of units) {
          const view = await client.post<{ name: string; state: string }>(`/v1/units/${encodeURIComponent(unit)}/${action}`);
          results.push(view);
          if (!opts.json) process.stdout.write(`${unit}: ${stateLabel(view.state)}\n`);
        }
        if (opts.json) printJson(results);
      });
  }
}
