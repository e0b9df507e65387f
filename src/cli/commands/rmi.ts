/**
 * `berth rmi [-f] IMAGE…`: untags names and removes images (and the blobs
 * and layers only they used).
 */
import type { Command } from 'commander';

/** Registers the `rmi` verb. */
export function register(program: Command): void {
  program
    .command('rmi')
    .description('remove images (a name of an image with other names is only untagged)')
    .argument('<image...>', 'NAME[:TAG], digest or image ID')
    .option('-f, --force', 'remove even if several names or containers use the image')
    .action(async (images: string[], opts: { force?: boolean }, cmd: Command) => {
      const { familiarReference, parseReference } = await import('../../image/reference.js');
      const { formatError } = await import('../../errors.js');
      const { removeImage } = await import('../image-calls.js');
      for (const ref of images) {
        try {
          const r = await removeImage(cmd, ref, opts.force ?? false);
          for (const n of r.untagged) process.stdout.write(`Untagged: ${familiarReference(parseReference(n))}\n`);
          for (const d of r.deleted) process.stdout.write(`Deleted: ${d}\n`);
        } catch (err) {
          process.stderr.write(`berth: ${formatError(err)}\n`);
          process.exitCode = 1;
        }
      }
    });
}
