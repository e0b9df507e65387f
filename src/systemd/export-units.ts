/**
 * `berth systemd export`: units → systemd unit files that run them without
 * the berth agent, as podman's quadlet does for containers (pure: specs
 * in, file texts and warnings out). A service becomes `berth-NAME.service`
 * with systemd owning restarts (Restart=, RestartSec=, StartLimit*), stop
 * (KillSignal=, TimeoutStopSec=) and limits (MemoryMax=, TasksMax=,
 * CPUQuota=); a scheduled job also gets `berth-NAME.timer` (OnCalendar=).
 * Host-process units (isolation process/systemd) run their command
 * directly; container units run through `berth run` (which needs the
 * agent's runtime pieces: said in a warning); VM units are not exported.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import { cronToCalendar } from './cron-calendar.js';
import { environmentValue, execLine, renderUnitFile, timeSpan } from './unit-file-text.js';

/** One file to write. */
export interface ExportedFile { name: string; text: string }

/** What export produced: files, and what could not be carried over (per unit). */
export interface ExportResult { files: ExportedFile[]; warnings: string[] }

/** The systemd unit name berth exports a unit as. */
export function exportedName(unit: string, suffix: 'service' | 'timer' = 'service'): string {
  return `berth-${unit}.${suffix}`;
}

const RESTART: Record<string, string> = { no: 'no', 'on-failure': 'on-failure', always: 'always', 'unless-stopped': 'always' };

/** Exports units; `berth` is the command that runs berth (for container units). */
export function exportUnits(specs: UnitSpec[], berth: string[] = ['/usr/bin/env', 'berth']): ExportResult {
  const out: ExportResult = { files: [], warnings: [] };
  for (const spec of specs) {
    if (spec.kind === 'network' || spec.kind === 'volume') continue;
    const say = (w: string) => out.warnings.push(`${spec.name}: ${w}`);
    if (spec.isolation === 'vm' || spec.kind === 'vm') { say('VM units are not exported (run them with the agent)'); continue; }
    const argv = [...(spec.run.entrypoint ?? []), ...(spec.run.command ?? [])];
    let exec: string[];
    if (spec.isolation === 'container') {
      if (!spec.image) { say('no image: skipped'); continue; }
      say('a container unit runs through `berth run`, which needs a running berth agent; export process units for a host without one');
      exec = [...berth, 'run', '--rm', '--name', `${spec.name}-sd`, ...Object.entries(spec.run.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        ...(spec.resources.memoryBytes ? ['-m', String(spec.resources.memoryBytes)] : []), ...(spec.resources.cpus ? ['--cpus', String(spec.resources.cpus)] : []),
        ...(spec.resources.pids ? ['--pids', String(spec.resources.pids)] : []),
        ...spec.network.ports.map((p) => ['-p', `${p.hostIp}:${p.hostPort}:${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`]).flat(),
        ...(spec.run.user ? ['-u', spec.run.user] : []), ...(spec.run.workdir ? ['-w', spec.run.workdir] : []),
        spec.image.from, ...argv];
    } else {
      if (!argv.length) { say('no run.command: skipped'); continue; }
      exec = argv;
      if (spec.volumes.length || spec.network.ports.length) say('volumes and ports do not apply to a host process (as with the agent)');
    }
    if (spec.templates.length) say('templates are rendered by the agent; the exported unit does not render them (run `berth render` and ship the files)');
    if (spec.health) say('health checks are not exported (systemd has none; consider WatchdogSec= in the program)');
    if (spec.after.some((a) => a.condition !== 'started')) say('after: … healthy/completed becomes plain ordering (After= + Requires=)');
    const job = spec.kind === 'job';
    const deps = spec.after.map((a) => exportedName(a.unit));
    const [user, group] = (spec.isolation === 'container' ? '' : spec.run.user ?? '').split(':');
    const service = renderUnitFile([`exported by \`berth systemd export\` from ${spec.file}`], [
      ['Unit', [
        ['Description', spec.description ?? `berth unit ${spec.name}`],
        ['After', deps.length ? deps.join(' ') : undefined],
        ['Requires', deps.length ? deps.join(' ') : undefined],
        ['StartLimitBurst', job ? undefined : spec.restart.burst],
        ['StartLimitIntervalSec', job ? undefined : timeSpan(spec.restart.withinMs)],
      ]],
      ['Service', [
        ['Type', job ? 'oneshot' : 'exec'],
        ['ExecStart', execLine(exec)],
        ['Environment', spec.isolation === 'container' ? undefined : Object.entries(spec.run.env).map(([k, v]) => environmentValue(k, v))],
        ['EnvironmentFile', spec.run.envFiles.length ? spec.run.envFiles : undefined],
        ['User', user || undefined],
        ['Group', group || undefined],
        ['WorkingDirectory', spec.isolation === 'container' ? undefined : spec.run.workdir],
        ['Restart', job ? undefined : RESTART[spec.restart.policy] ?? 'no'],
        ['RestartSec', job ? undefined : timeSpan(spec.restart.delayMs)],
        ['KillSignal', spec.stop.signal],
        ['TimeoutStopSec', timeSpan(spec.stop.timeoutMs)],
        ['MemoryMax', spec.isolation === 'container' ? undefined : spec.resources.memoryBytes],
        ['TasksMax', spec.isolation === 'container' ? undefined : spec.resources.pids],
        ['CPUQuota', spec.isolation === 'container' || !spec.resources.cpus ? undefined : `${Math.round(spec.resources.cpus * 100)}%`],
      ]],
      ...(job && spec.schedule ? [] : [['Install', [['WantedBy', 'multi-user.target']]] as [string, [string, string][]]]),
    ]);
    out.files.push({ name: exportedName(spec.name), text: service });
    if (job && spec.schedule) {
      const cal = cronToCalendar(spec.schedule.cron);
      if ('error' in cal) { say(`${cal.error}; no timer written`); continue; }
      out.files.push({ name: exportedName(spec.name, 'timer'), text: renderUnitFile([`exported by \`berth systemd export\` from ${spec.file}`], [
        ['Unit', [['Description', `schedule of berth unit ${spec.name} (${spec.schedule.cron})`]]],
        ['Timer', [['OnCalendar', spec.schedule.timezone ? `${cal.calendar} ${spec.schedule.timezone}` : cal.calendar], ['Unit', exportedName(spec.name)]]],
        ['Install', [['WantedBy', 'timers.target']]],
      ]) });
    }
  }
  return out;
}
