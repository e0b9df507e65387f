/**
 * `berth apply [DIR]`: carry out a unit folder on the agent — all of it or
 * nothing. A local agent reads the folder itself; a remote one gets it uploaded.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import { readGlobals } from '../globals.js';
import { printJson } from '../output.js';
import { folderPayload, printApiErrors } from '../folder-payload.js';

/** Registers the `apply` verb. */
export function register(program: Command): void {
  program
    .command('apply')
    .description('apply a unit folder: start new units, stop removed ones, restart or reload what changed')
    .argument('[dir]', 'unit folder', 'units')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
      const body = await folderPayload(dir, readGlobals(cmd).host);
      try {
        const r = await clientFor(cmd).post<{ summary: Record<string, number>; actions: { unit: string; kind: string; reason: string }[] }>('/v1/apply', body);
        if (opts.json) return printJson(r);
        for (const a of r.actions.filter((x) => x.kind !== 'none')) process.stdout.write(`${a.kind.padEnd(8)} ${a.unit}: ${a.reason}\n`);
        const s = r.summary;
        process.stdout.write(`applied: ${s.create ?? 0} created, ${s.restart ?? 0} restarted, ${s.reload ?? 0} reloaded, ${s.update ?? 0} updated, ${s.remove ?? 0} removed, ${s.unchanged ?? 0} unchanged\n`);
      } catch (err) {
        if (printApiErrors(err, opts.json)) process.exitCode = 1;
        else throw err;
      }
    });
}
