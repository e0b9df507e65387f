/**
 * `berth push IMAGE [DEST]`: uploads a local image to a registry, as IMAGE's
 * own name or as DEST (e.g. `berth push app:v1 127.0.0.1:5000/team/app:v1`).
 */
import type { Command } from 'commander';

/** Registers the `push` verb. */
export function register(program: Command): void {
  program
    .command('push')
    .description('upload a local image to a registry: berth push app:v1 127.0.0.1:5000/team/app:v1')
    .argument('<image>', 'local image (name, digest or ID)')
    .argument('[dest]', 'REGISTRY/NAME[:TAG] to push to (default: the image name)')
    .option('--insecure', 'the registry serves plain http (never assumed, not even for localhost; or list it in BERTH_INSECURE_REGISTRIES)')
    .option('--mount-from <repo>', 'a repository on the same registry that may hold the layers already')
    .option('-q, --quiet', 'print only the digest')
    .action(async (image: string, dest: string | undefined, opts: { insecure?: boolean; mountFrom?: string; quiet?: boolean }, cmd: Command) => {
      const { createTransferProgress } = await import('../transfer-progress.js');
      const { pushVia } = await import('../image-calls.js');
      const progress = opts.quiet ? undefined : await createTransferProgress('push');
      try {
        const res = await pushVia(cmd, image, dest, { insecure: opts.insecure, mountFrom: opts.mountFrom }, progress?.onEvent);
        progress?.stop();
        process.stdout.write(opts.quiet ? `${res.digest}\n` : `${res.ref}: ${res.digest} (${res.uploaded} uploaded, ${res.skipped} already there)\n`);
      } finally {
        progress?.stop();
      }
    });
}
