/**
 * `berth pull NAME[:TAG|@DIGEST]`: downloads an image from its registry into
 * the local store (linux/amd64 from a multi-platform index), with progress.
 */
import type { Command } from 'commander';

/** Registers the `pull` verb. */
export function register(program: Command): void {
  program
    .command('pull')
    .description('download an image from a registry: berth pull 127.0.0.1:5000/team/app:v1')
    .argument('<image>', 'NAME[:TAG|@DIGEST], e.g. busybox, registry.example.com/app:v1')
    .option('--insecure', 'the registry serves plain http (never assumed, not even for localhost; or list it in BERTH_INSECURE_REGISTRIES)')
    .option('-q, --quiet', 'print only the digest')
    .action(async (image: string, opts: { insecure?: boolean; quiet?: boolean }, cmd: Command) => {
      const { createTransferProgress } = await import('../transfer-progress.js');
      const { pullVia } = await import('../image-calls.js');
      const progress = opts.quiet ? undefined : await createTransferProgress('pull');
      try {
        const res = await pullVia(cmd, image, opts.insecure, progress?.onEvent);
        progress?.stop();
        process.stdout.write(opts.quiet ? `${res.digest}\n` : `${res.ref}: ${res.digest} (${res.downloaded} downloaded, ${res.reused} already here)\n`);
      } finally {
        progress?.stop();
      }
    });
}
