/**
 * `berth info`: the agent and its host — version, runtimes and why,
 * VM acceleration, cgroup mode, units, addresses.
 */
import type { Command } from 'commander';
import type { AgentInfo } from '../../api/api-context.js';
import { clientFor } from '../client.js';
import { paint, printJson } from '../output.js';

/** Registers the `info` verb. */
export function register(program: Command): void {
  program
    .command('info')
    .description('show the agent, its host, and which isolations work here (and why not)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const i = await clientFor(cmd).get<AgentInfo & { units: Record<string, number>; lastSeq: number }>('/v1/info');
      if (opts.json) return printJson(i);
      const lines = [
        `agent:      berth ${i.version} (pid ${i.pid}) on ${i.hostname}, kernel ${i.kernel}`,
        `state:      ${i.root}${i.unitsDir ? `, units from ${i.unitsDir}` : ''}`,
        `listening:  ${i.listen.join(', ')}`,
        `cgroups:    ${i.cgroup}`,
        `units:      ${i.units.total} (${i.units.running} running, ${i.units.failing} failing, ${i.units.paused} paused); last event #${i.lastSeq}`,
        'isolations:',
        ...Object.entries(i.isolations).map(([k, v]) => `  ${k.padEnd(10)} ${v.ok ? paint('green', 'ok') : paint('red', 'no')}  ${v.detail}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
