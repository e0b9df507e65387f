/**
 * `berth history IMAGE`: the steps that made an image, newest first.
 */
import type { Command } from 'commander';

/** Registers the `history` verb. */
export function register(program: Command): void {
  program
    .command('history')
    .description('show the steps that made an image, newest first')
    .argument('<image>', 'NAME[:TAG], digest or ID')
    .option('--json', 'print JSON')
    .option('--no-trunc', 'do not cut long commands')
    .action(async (image: string, opts: { json?: boolean; trunc: boolean }, cmd: Command) => {
      const { formatHistory } = await import('../../image/image-table.js');
      const { imageHistory } = await import('../image-calls.js');
      const rows = await imageHistory(cmd, image);
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatHistory(rows, Date.now(), opts.trunc ? 60 : Infinity));
    });
}
