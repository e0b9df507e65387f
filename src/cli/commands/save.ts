/**
 * `berth save IMAGE… -o FILE`: writes images to an OCI archive.
 */
import type { Command } from 'commander';

/** Registers the `save` verb. */
export function register(program: Command): void {
  program
    .command('save')
    .description('write images to an OCI archive (readable by skopeo/podman as oci-archive:FILE)')
    .argument('<image...>', 'NAME[:TAG], digest or ID')
    .requiredOption('-o, --output <file>', 'the archive to write')
    .action(async (images: string[], opts: { output: string }, cmd: Command) => {
      const { saveImages } = await import('../image-calls.js');
      const saved = await saveImages(cmd, images, opts.output);
      process.stdout.write(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} to ${opts.output}\n`);
    });
}
