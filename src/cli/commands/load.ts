/**
 * `berth load -i FILE [-t NAME]`: reads images from an OCI archive or a
 * docker-save tar.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `load` verb. */
export function register(program: Command): void {
  program
    .command('load')
    .description('read images from an OCI archive or a docker-save tar')
    .requiredOption('-i, --input <file>', 'the archive to read')
    .option('-t, --tag <name>', 'name for a single image the archive leaves unnamed')
    .action(async (opts: { input: string; tag?: string }, cmd: Command) => {
      const { ImageStore } = await import('../../image/image-store.js');
      const { loadImage } = await import('../../image/oci-archive.js');
      const { familiarReference, parseReference } = await import('../../image/reference.js');
      const store = await ImageStore.open(readGlobals(cmd).root);
      const loaded = await loadImage(store, opts.input, opts.tag ? { name: opts.tag } : {});
      for (const l of loaded) {
        process.stdout.write(l.name ? `Loaded image: ${familiarReference(parseReference(l.name))} (${l.image.digest})\n`
          : `Loaded image: ${l.image.digest} (no name; give it one with berth tag ${l.image.digest.slice(7, 19)} NAME)\n`);
      }
    });
}
