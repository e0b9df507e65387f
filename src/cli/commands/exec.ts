/**
 * `berth exec UNIT CMD [ARG...]`: run a command inside a unit's running
 * instance; its output is printed and its exit code becomes ours.
 */
import type { Command } from 'commander';
import type { ExecResult } from '../../supervisor/agent.js';
import { clientFor } from '../client.js';

/** Registers the `exec` verb. */
export function register(program: Command): void {
  program
    .command('exec')
    .description('run a command inside a running unit')
    .argument('<unit>', 'unit name')
    .argument('<command...>', 'command and arguments (put -- before options meant for the command)')
    .option('-e, --env <kv...>', 'extra environment KEY=VALUE')
    .option('-u, --user <user>', 'user to run as')
    .option('-w, --workdir <dir>', 'working directory')
    .passThroughOptions()
    .action(async (unit: string, args: string[], opts: { env?: string[]; user?: string; workdir?: string }, cmd: Command) => {
      const argv = args[0] === '--' ? args.slice(1) : args;
      const env = Object.fromEntries((opts.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const r = await clientFor(cmd).post<ExecResult>(`/v1/units/${encodeURIComponent(unit)}/exec`, {
        argv, ...(opts.env ? { env } : {}), ...(opts.user ? { user: opts.user } : {}), ...(opts.workdir ? { workdir: opts.workdir } : {}),
      });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code ?? 128 + 9;
    });
}
