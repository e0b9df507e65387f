/**
 * Pure mapping from berth's units to the Docker Engine API's container JSON
 * (list rows, inspect documents, states, status lines, events). A container
 * id is a stable 64-hex id per unit incarnation (see container-name.ts).
 */
import type { UnitSpec } from '../../config/unit-spec.js';
import type { BerthEvent } from '../../supervisor/events.js';
import type { UnitView } from '../../supervisor/agent.js';
import { containerId, CREATED_LABEL } from '../containers/container-name.js';
import { AUTOREMOVE_LABEL } from '../../supervisor/agent.js';

/** Docker's container states. */
export type DockerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited';

/** Docker's state for a berth state. */
export function dockerState(state: string): DockerState {
  if (state === 'paused') return 'paused';
  if (['starting', 'running', 'healthy', 'unhealthy', 'stopping'].includes(state)) return 'running';
  if (['backing-off', 'crash-looping'].includes(state)) return 'restarting';
  if (['created', 'waiting'].includes(state)) return 'created';
  return 'exited';
}

/** "3 seconds", "2 minutes", "About an hour" — docker's HumanDuration, roughly. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

/** The STATUS column: "Up 3 seconds", "Exited (1) 2 minutes ago", "Created". */
export function statusLine(v: UnitView, now: number): string {
  const st = dockerState(v.state);
  if (st === 'running') return `Up ${humanDuration(now - (v.startedAt ?? now))}${v.health && v.health !== '–' ? ` (${v.health})` : ''}`;
  if (st === 'paused') return `Up ${humanDuration(now - (v.startedAt ?? now))} (Paused)`;
  if (st === 'restarting') return `Restarting (${v.lastExit?.code ?? 0}) ${humanDuration(now - (v.lastExit?.finishedAt ?? now))} ago`;
  if (st === 'exited' && v.lastExit) return `Exited (${exitCodeOf(v.lastExit)}) ${humanDuration(now - v.lastExit.finishedAt)} ago`;
  return 'Created';
}

/** An exit as a shell status (128+N for a signal). */
export function exitCodeOf(e: { code: number | null; signal: string | null } | undefined): number {
  if (!e) return 0;
  if (e.code !== null) return e.code;
  const n: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return 128 + (e.signal ? n[e.signal] ?? 9 : 9);
}

const createdMs = (spec: UnitSpec) => Number(spec.labels[CREATED_LABEL] ?? 0) || 0;
const argvOf = (spec: UnitSpec) => [...(spec.run.entrypoint ?? []), ...(spec.run.command ?? [])];

function portsOf(spec: UnitSpec) {
  return spec.network.ports.map((p) => ({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol }));
}

/** One row of GET /containers/json. */
export function containerRow(v: UnitView, spec: UnitSpec, now: number): Record<string, unknown> {
  return {
    Id: containerId(spec),
    Names: [`/${v.name}`],
    Image: spec.image?.from ?? v.isolation,
    ImageID: '',
    Command: argvOf(spec).join(' '),
    Created: Math.floor((createdMs(spec) || v.startedAt || now) / 1000),
    Ports: portsOf(spec),
    Labels: spec.labels,
    State: dockerState(v.state),
    Status: statusLine(v, now),
    HostConfig: { NetworkMode: spec.network.attach[0] ?? 'none' },
    NetworkSettings: { Networks: Object.fromEntries(spec.network.attach.map((n) => [n, { NetworkID: n }])) },
    Mounts: [],
  };
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '0001-01-01T00:00:00Z');

/** GET /containers/{id}/json. */
export function containerInspect(v: UnitView, spec: UnitSpec, addresses: Record<string, string> = {}): Record<string, unknown> {
  const st = dockerState(v.state);
  const argv = argvOf(spec);
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.network.ports) (bindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return {
    Id: containerId(spec),
    Created: iso(createdMs(spec) || v.startedAt),
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    State: {
      Status: st, Running: st === 'running' || st === 'paused', Paused: st === 'paused', Restarting: st === 'restarting',
      OOMKilled: v.lastExit?.oomKilled ?? false, Dead: false, Pid: v.pid ?? 0, ExitCode: st === 'exited' ? exitCodeOf(v.lastExit) : 0,
      Error: v.state === 'failed' ? v.lastExit?.reason ?? '' : '', StartedAt: iso(v.startedAt), FinishedAt: iso(v.lastExit?.finishedAt),
    },
    Image: spec.image?.from ?? '',
    Name: `/${v.name}`,
    RestartCount: v.restarts,
    Driver: 'overlay',
    Platform: 'linux',
    HostConfig: {
      NetworkMode: spec.network.attach[0] ?? 'none',
      RestartPolicy: { Name: spec.restart.policy, MaximumRetryCount: 0 },
      AutoRemove: spec.labels[AUTOREMOVE_LABEL] === 'true',
      Init: spec.run.init,
      PortBindings: bindings,
      Memory: spec.resources.memoryBytes ?? 0,
      NanoCpus: Math.round((spec.resources.cpus ?? 0) * 1e9),
      PidsLimit: spec.resources.pids ?? null,
      Binds: spec.volumes.flatMap((m) => (m.type === 'bind' ? [`${m.host}:${m.path}${m.readonly ? ':ro' : ''}`] : m.type === 'named' ? [`${m.name}:${m.path}${m.readonly ? ':ro' : ''}`] : [])),
    },
    Config: {
      Hostname: spec.network.hostname, User: spec.run.user ?? '', Tty: false, OpenStdin: false, AttachStdout: false, AttachStderr: false,
      Env: Object.entries(spec.run.env).map(([k, val]) => `${k}=${val}`),
      Cmd: spec.run.command ?? null, Entrypoint: spec.run.entrypoint ?? null, Image: spec.image?.from ?? '', WorkingDir: spec.run.workdir ?? '',
      Labels: spec.labels,
    },
    NetworkSettings: {
      Ports: bindings,
      IPAddress: Object.values(addresses)[0] ?? '',
      Networks: Object.fromEntries(spec.network.attach.map((n) => [n, { NetworkID: n, IPAddress: addresses[n] ?? '' }])),
    },
    Mounts: [],
  };
}

const ACTIONS: Record<string, string> = {
  'unit.started': 'start', 'unit.exited': 'die', 'unit.stopped': 'stop', 'unit.paused': 'pause', 'unit.unpaused': 'unpause',
  'unit.restarting': 'restart', 'unit.healthy': 'health_status: healthy', 'unit.unhealthy': 'health_status: unhealthy',
};

/** A ledger event as a Docker event message, or undefined when Docker has no such event. */
export function dockerEvent(e: BerthEvent, spec: UnitSpec | undefined): Record<string, unknown> | undefined {
  const action = ACTIONS[e.type];
  if (!action || !('unit' in e)) return undefined;
  const id = spec ? containerId(spec) : containerId({ name: e.unit, labels: {} });
  const attributes: Record<string, string> = { name: e.unit, ...(spec?.image ? { image: spec.image.from } : {}) };
  if (e.type === 'unit.exited') attributes.exitCode = String(exitCodeOf(e));
  return {
    Type: 'container', Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local',
    status: action, id, from: spec?.image?.from ?? '', time: Math.floor(e.time / 1000), timeNano: e.time * 1e6,
  };
}
