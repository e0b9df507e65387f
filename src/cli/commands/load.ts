/**
 * `berth load -i FILE [-t NAME]`: reads images from an OCI archive or a
 * docker-save tar.
 */
import type { Command } from 'commander';

/** Registers the `load` verb. */
export function register(program: Command): void {
  program
    .command('load')
    .description('read images from an OCI archive or a docker-save tar')
    .requiredOption('-i, --input <file>', 'the archive to read')
    .option('-t, --tag <name>', 'name for a single image the archive leaves unnamed')
    .action(async (opts: { input: string; tag?: string }, cmd: Command) => {
      const { familiarReference, parseReference } = await import('../../image/reference.js');
      const { loadImages } = await import('../image-calls.js');
      const loaded = await loadImages(cmd, opts.input, opts.tag);
      for (const l of loaded) {
        process.stdout.write(l.name ? `Loaded image: ${familiarReference(parseReference(l.name))} (${l.digest})\n`
          : `Loaded image: ${l.digest} (no name; give it one with berth tag ${l.digest.slice(7, 19)} NAME)\n`);
      }
    });
}
