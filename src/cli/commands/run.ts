/**
 * `berth run [FLAGS] IMAGE [CMD...]`: create and start a container (an
 * ad-hoc unit). With -d it prints the name and returns; otherwise it
 * streams the output until the container ends and exits with its code,
 * like `docker run`. Ctrl-C stops the container.
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { BerthEvent } from '../../supervisor/events.js';
import type { UnitView } from '../../supervisor/agent.js';
import type { LogLine } from '../../supervisor/unit-logs.js';
import { clientFor } from '../client.js';
import { addRunFlags, toContainerRequest, type RunFlags } from '../run-flags.js';

/** Exit status of an ended container as a shell sees it. */
function exitStatus(e: { code: number | null; signal: string | null }): number {
  if (e.code !== null) return e.code;
  const n = e.signal ? (os.constants.signals as Record<string, number>)[e.signal] ?? 9 : 9;
  return 128 + n;
}

/** Registers the `run` verb. */
export function register(program: Command): void {
  addRunFlags(program.command('run').description('create and start a container (an ad-hoc unit); without -d, stream its output and exit with its code'))
    .option('-d, --detach', 'print the name and return')
    .action(async (image: string, command: string[], flags: RunFlags & { detach?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      if (flags.detach) {
        const view = await client.post<UnitView>('/v1/containers', toContainerRequest(image, command, flags, true));
        return void process.stdout.write(`${view.name}\n`);
      }
      const { lastSeq } = await client.get<{ lastSeq: number }>('/v1/info');
      // attached: the CLI removes the unit itself once it has shown the last line
      const view = await client.post<UnitView>('/v1/containers', toContainerRequest(image, command, { ...flags, rm: false }, true));
      const path = `/v1/units/${encodeURIComponent(view.name)}`;
      // a line is shown once: live from the follow stream, or from the full log after the exit
      const shown = new Set<string>();
      let following = true;
      const print = (l: LogLine) => {
        const key = `${l.time}|${l.stream}|${l.text}`;
        if (shown.has(key)) return;
        shown.add(key);
        (l.stream === 'stderr' ? process.stderr : process.stdout).write(`${l.text}\n`);
      };
      const logs = client.stream<LogLine>(`${path}/logs?follow=true`, (l) => following && print(l));
      let exit: { code: number | null; signal: string | null } | undefined;
      const events = client.stream<BerthEvent>(`/v1/events?follow=true&since=${lastSeq}&unit=${encodeURIComponent(view.name)}&type=unit.exited`, (e) => {
        if (e.type === 'unit.exited') {
          exit = e;
          events.stop();
        }
      });
      const onInt = () => void client.post(`${path}/stop`).catch(() => undefined);
      process.once('SIGINT', onInt);
      await events.done;
      process.off('SIGINT', onInt);
      following = false;
      logs.stop();
      (await client.get<LogLine[]>(`${path}/logs`)).forEach(print);
      if (flags.rm) await client.call('DELETE', `${path}?force=true`);
      process.exitCode = exit ? exitStatus(exit) : 1;
    });
}
