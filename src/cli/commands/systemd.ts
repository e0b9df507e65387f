/**
 * `berth systemd install|ls|export|start|stop|restart`: berth beside
 * systemd — run the agent as a systemd service, watch the host's services,
 * export units as systemd unit files.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';
import { clientFor } from '../client.js';

/** Registers the `systemd` verb and its subcommands. */
export function register(program: Command): void {
  const sd = program.command('systemd').description('berth and systemd: install the agent as a service, list host services, export units');

  sd.command('install')
    .description('write /etc/systemd/system/berth.service (Type=notify, watchdog, KillMode=process) and enable it over D-Bus')
    .option('--dry-run', 'print the unit file, change nothing')
    .option('-u, --units <dir>', 'unit folder the agent applies and watches')
    .option('--socket <path>', 'API socket', '/run/berth/berth.sock')
    .option('--listen <url...>', 'also serve TCP, e.g. tcp://0.0.0.0:7777')
    .option('--watchdog <duration>', 'WatchdogSec (the agent pings at half of it)', '30s')
    .option('--unit-path <file>', 'where to write the unit', '/etc/systemd/system/berth.service')
    .option('--no-enable', 'write and reload only')
    .action(async (o: { dryRun?: boolean; units?: string; socket: string; listen?: string[]; watchdog: string; unitPath: string; enable: boolean }, cmd: Command) => {
      const { resolve } = await import('node:path');
      const { parseDuration } = await import('../../config/parse-duration.js');
      const { renderAgentService } = await import('../../systemd/agent-service.js');
      const { currentBerthCommand, installAgentService } = await import('../../systemd/install-agent.js');
      const opts = {
        berth: currentBerthCommand(), root: resolve(readGlobals(cmd).root), socket: o.socket,
        ...(o.units ? { unitsDir: resolve(o.units) } : {}), ...(o.listen ? { listen: o.listen } : {}), watchdogMs: parseDuration(o.watchdog),
      };
      if (o.dryRun) return void process.stdout.write(renderAgentService(opts));
      const r = await installAgentService({ ...opts, unitPath: resolve(o.unitPath), noEnable: !o.enable });
      process.stdout.write(`wrote ${r.path}\n${r.changes.map((c) => `  ${c}\n`).join('')}${o.enable ? 'enabled; start it with `systemctl start berth`\n' : ''}`);
    });

  sd.command('ls')
    .description("list the host's systemd services (through the agent): state, sub-state, since, main PID, memory")
    .option('-a, --all', 'also inactive ones')
    .option('-f, --follow', 'keep the list on screen, updated every second')
    .option('--json', 'print JSON')
    .action(async (o: { all?: boolean; follow?: boolean; json?: boolean }, cmd: Command) => {
      const { ago, printJson, stateLabel, table } = await import('../output.js');
      const client = clientFor(cmd);
      type Row = { name: string; activeState: string; subState: string; since?: number; mainPid?: number; memoryBytes?: number };
      const show = async () => {
        const units = (await client.get<Row[]>('/v1/systemd/units')).filter((u) => o.all || u.activeState !== 'inactive');
        if (o.json) return printJson(units);
        const mib = (b?: number) => (b === undefined ? '–' : `${(b / 1048576).toFixed(1)} MiB`);
        const rows = units.map((u) => [u.name, stateLabel(u.activeState === 'active' ? 'running' : u.activeState === 'failed' ? 'failed' : u.activeState), u.subState, u.since ? ago(Date.now() - u.since) : '–', u.mainPid ? String(u.mainPid) : '–', mib(u.memoryBytes)]);
        process.stdout.write((o.follow ? '\x1b[H\x1b[2J' : '') + table(['UNIT', 'STATE', 'SUB', 'SINCE', 'PID', 'MEMORY'], rows));
      };
      await show();
      if (o.follow && !o.json) for (;;) { await new Promise((r) => setTimeout(r, 1000)); await show(); }
    });

  for (const verb of ['start', 'stop', 'restart'] as const) {
    sd.command(`${verb} <unit>`).description(`${verb} a host systemd unit (through the agent)`).action(async (unit: string, _o: unknown, cmd: Command) => {
      const u = await clientFor(cmd).post<{ name: string; activeState: string; subState: string }>(`/v1/systemd/units/${encodeURIComponent(unit)}/${verb}`, {});
      process.stdout.write(`${u.name}: ${u.activeState} (${u.subState})\n`);
    });
  }

  sd.command('export <unit-or-dir>')
    .description('write .service/.timer files that run units without the agent (like podman quadlet); prints them without -o')
    .option('-o, --output <dir>', 'folder to write the files to')
    .action(async (target: string, o: { output?: string }) => {
      const { exportFromPath } = await import('../../systemd/export-path.js');
      const { formatError } = await import('../../errors.js');
      const r = await exportFromPath(target, o.output);
      for (const e of r.errors) process.stderr.write(`${formatError(e)}\n`);
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (r.errors.length) { process.exitCode = 1; return; }
      if (o.output) process.stdout.write(r.files.map((f) => `wrote ${f.path}\n`).join(''));
      else process.stdout.write(r.files.map((f) => `# ${f.name}\n${f.text}`).join('\n'));
    });
}
