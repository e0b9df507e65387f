/**
 * `berth images [--json] [-q]`: the local images, one row per name.
 */
import type { Command } from 'commander';

/** Adds the listing's flags and action to a command: `berth images` and `berth image ls` are the same. */
export function imageListing(command: Command): Command {
  return command
    .option('--json', 'print JSON (one object per name)')
    .option('-q, --quiet', 'print only image digests (one per image)')
    .action(async (opts: { json?: boolean; quiet?: boolean }, cmd: Command) => {
      const { formatImages } = await import('../../image/image-table.js');
      const { listImages } = await import('../image-calls.js');
      const rows = await listImages(cmd);
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (opts.quiet) process.stdout.write([...new Set(rows.map((r) => r.digest))].map((d) => `${d}\n`).join(''));
      else process.stdout.write(formatImages(rows, Date.now()));
    });
}

/** Registers the `images` verb. */
export function register(program: Command): void {
  imageListing(program.command('images').description('list local images: REPOSITORY TAG DIGEST CREATED SIZE'));
}
