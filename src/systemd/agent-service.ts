/**
 * berth.service: the agent as a systemd service (pure). Type=notify (the
 * agent says READY=1 after its first reconcile, sd-notify.ts) with
 * NotifyAccess=all (the notify helper is a child process), a watchdog,
 * Restart=on-failure, and KillMode=process: stopping or restarting the
 * agent ends only the agent, so containers' conmon monitors, process shims
 * and QEMU guests it started keep running and are re-attached.
 */
import { execLine, renderUnitFile, timeSpan } from './unit-file-text.js';

/** What berth.service needs. */
export interface AgentServiceOptions {
  /** the command that runs berth, e.g. ['/usr/bin/node', '/opt/berth/bin/berth.js'] */
  berth: string[];
  root: string;
  socket: string;
  unitsDir?: string;
  listen?: string[];
  watchdogMs?: number;
}

/** Where `berth systemd install` writes the agent's unit by default. */
export const AGENT_UNIT_PATH = '/etc/systemd/system/berth.service';

/** The text of berth.service. */
export function renderAgentService(o: AgentServiceOptions): string {
  const argv = [...o.berth, '--root', o.root, 'agent', '--socket', o.socket, ...(o.unitsDir ? ['--units', o.unitsDir] : []), ...(o.listen ?? []).flatMap((l) => ['--listen', l]), '--quiet'];
  return renderUnitFile(['written by `berth systemd install`; re-run it to change this file'], [
    ['Unit', [
      ['Description', 'berth host agent'],
      ['After', 'network-online.target'],
      ['Wants', 'network-online.target'],
    ]],
    ['Service', [
      ['Type', 'notify'],
      ['NotifyAccess', 'all'],
      ['ExecStart', execLine(argv)],
      ['ExecReload', '/bin/kill -HUP $MAINPID'],
      ['Restart', 'on-failure'],
      ['RestartSec', '1s'],
      ['WatchdogSec', timeSpan(o.watchdogMs ?? 30_000)],
      ['TimeoutStartSec', '5min'],
      ['TimeoutStopSec', '60s'],
      ['KillMode', 'process'],
      ['LimitNOFILE', '20000'],
    ]],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
}
