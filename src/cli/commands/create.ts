/**
 * `berth create [FLAGS] IMAGE [CMD...]`: make a container (an ad-hoc unit)
 * without starting it; `berth start NAME` starts it.
 */
import type { Command } from 'commander';
import type { UnitView } from '../../supervisor/agent.js';
import { clientFor } from '../client.js';
import { addRunFlags, toContainerRequest, type RunFlags } from '../run-flags.js';

/** Registers the `create` verb. */
export function register(program: Command): void {
  addRunFlags(program.command('create').description('create a container (an ad-hoc unit) without starting it'))
    .action(async (image: string, command: string[], flags: RunFlags, cmd: Command) => {
      const view = await clientFor(cmd).post<UnitView>('/v1/containers', toContainerRequest(image, command, flags, false));
      process.stdout.write(`${view.name}\n`);
    });
}
