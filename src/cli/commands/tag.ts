/**
 * `berth tag SRC DST`: gives an image another name.
 */
import type { Command } from 'commander';

/** Registers the `tag` verb. */
export function register(program: Command): void {
  program
    .command('tag')
    .description('name an image: berth tag busybox localhost:5000/team/busybox:v1')
    .argument('<source>', 'an image: NAME[:TAG], digest or ID')
    .argument('<target>', 'the new NAME[:TAG]')
    .action(async (source: string, target: string, _opts: unknown, cmd: Command) => {
      const { tagImage } = await import('../image-calls.js');
      await tagImage(cmd, source, target);
    });
}
