/**
 * `berth commit UNIT [NAME[:TAG]] [-a AUTHOR] [-m MSG] [-c CHANGE]`: the
 * unit's running container becomes a new image (its changes as one layer,
 * its rendered templates baked in). Needs the agent that runs the unit.
 */
import type { Command } from 'commander';
import { clientFor } from '../client.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the `commit` verb. */
export function register(program: Command): void {
  program
    .command('commit')
    .description("make an image of a unit's running container: berth commit web web:snapshot")
    .argument('<unit>', 'the unit (or container) name')
    .argument('[image]', 'NAME[:TAG] for the new image')
    .option('-a, --author <author>', 'the author, e.g. "Ann <ann@example.com>"')
    .option('-m, --message <msg>', 'a commit message')
    .option('-c, --change <change>', 'a Dockerfile instruction to apply: CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, WORKDIR, USER (repeatable)', collect, [])
    .option('--no-pause', 'do not pause the container while reading it')
    .action(async (unit: string, image: string | undefined, opts: { author?: string; message?: string; change: string[]; pause: boolean }, cmd: Command) => {
      const res = await clientFor(cmd).post<{ image: string; digest: string }>(`/v1/units/${encodeURIComponent(unit)}/commit`, {
        ...(image ? { ref: image } : {}), ...(opts.author ? { author: opts.author } : {}), ...(opts.message ? { message: opts.message } : {}),
        changes: opts.change, pause: opts.pause,
      });
      const { familiarReference, parseReference } = await import('../../image/reference.js');
      const name = res.image.startsWith('sha256:') ? res.image : familiarReference(parseReference(res.image));
      process.stdout.write(`${name}: ${res.digest}\n`);
    });
}
