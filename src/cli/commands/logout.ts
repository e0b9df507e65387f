/**
 * `berth logout REGISTRY`: forgets the stored credentials of a registry.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `logout` verb. */
export function register(program: Command): void {
  program
    .command('logout')
    .description('remove the stored credentials of a registry from <root>/auth.json')
    .argument('<registry>', 'registry host')
    .action(async (registry: string, _opts: unknown, cmd: Command) => {
      const { root } = readGlobals(cmd);
      const { logoutRegistry } = await import('../../image/registry/login-registry.js');
      const removed = await logoutRegistry(registry, root);
      process.stdout.write(removed ? `Removed login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
    });
}
