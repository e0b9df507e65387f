/**
 * `UnitSpec`: a unit as the rest of berth sees it — validated, defaults
 * filled in, durations in milliseconds, sizes in bytes, paths absolute.
 * Produced by `normalizeUnit` from a `UnitFile`; consumed by the planner,
 * the supervisor and the drivers' spec builders.
 */
import type { AfterCondition, Isolation, OnChange, RestartPolicy, UnitKind } from './unit-schema.js';

/** A template file to render: `src` is absolute, `dest` is inside the unit. */
export interface TemplateSpec {
  src: string;
  dest: string;
  onChange: OnChange;
  mode: number;
}

/** Where a secret's value comes from. Its value is never stored in a spec. */
export type SecretRef = { from: 'file'; path: string } | { from: 'env'; variable: string };

/** A published port. `hostIp` defaults to 0.0.0.0. */
export interface PortSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** A mount: a named volume, a host path (absolute) or a tmpfs. */
export type VolumeSpec =
  | { type: 'named'; name: string; path: string; readonly: boolean }
  | { type: 'bind'; host: string; path: string; readonly: boolean }
  | { type: 'tmpfs'; sizeBytes?: number; path: string; readonly: boolean };

export interface RestartSpec {
  policy: RestartPolicy;
  delayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: number;
  resetAfterMs: number;
  burst: number;
  withinMs: number;
  cooldownMs: number;
}

export type HealthCheck =
  | { type: 'exec'; command: string[] }
  | { type: 'http'; url: string }
  | { type: 'tcp'; host: string; port: number };

export interface HealthSpec {
  check: HealthCheck;
  everyMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  onUnhealthy: 'restart' | 'stop' | 'none';
}

export interface ScheduleSpec {
  cron: string;
  timezone?: string;
  concurrency: 'skip' | 'queue' | 'allow';
  keep: number;
}

export interface RunSpecOfUnit {
  /** argv; a string command in the file becomes ['/bin/sh', '-c', cmd]. */
  command?: string[];
  entrypoint?: string[];
  env: Record<string, string>;
  /** absolute paths of KEY=VALUE files, read at start. */
  envFiles: string[];
  user?: string;
  workdir?: string;
  readonlyRootfs: boolean;
  userns: boolean;
  /** a tiny init as PID 1 (containers) */
  init: boolean;
  capAdd: string[];
  capDrop: string[];
}

export interface VmSpecOfUnit {
  cpus: number;
  memoryBytes: number;
  disk?: string;
  kernel?: string;
  disksBytes: number[];
  cloudInit: boolean;
}

/** A unit, validated and normalised. */
export interface UnitSpec {
  name: string;
  kind: UnitKind;
  isolation: Isolation;
  description?: string;
  /** The unit file (absolute) and its folder; templates are confined to `dir`. */
  file: string;
  dir: string;
  /**
   * `buildKey` is set by the agent (never from the file): the cache key of
   * the Dockerfile build, so a changed Dockerfile or context file shows in
   * the plan as `image.build_key` and restarts the unit.
   */
  image?: { from: string; build?: string; context?: string; args: Record<string, string>; buildKey?: string };
  templates: TemplateSpec[];
  vars: Record<string, unknown>;
  secrets: Record<string, SecretRef>;
  run: RunSpecOfUnit;
  resources: { memoryBytes?: number; cpus?: number; pids?: number };
  network: { attach: string[]; ports: PortSpec[]; hostname: string };
  volumes: VolumeSpec[];
  restart: RestartSpec;
  health?: HealthSpec;
  after: { unit: string; condition: AfterCondition }[];
  schedule?: ScheduleSpec;
  stop: { signal: string; timeoutMs: number };
  reload: { signal: string; command?: string[] };
  vm?: VmSpecOfUnit;
  /** network units only */
  subnet?: string;
  labels: Record<string, string>;
}

/** Defaults applied by normalizeUnit, in one place so docs can cite them. */
export const UNIT_DEFAULTS = {
  restartPolicy: { service: 'on-failure', job: 'no', vm: 'on-failure' } as Record<string, RestartPolicy>,
  restartDelayMs: 100,
  restartMaxDelayMs: 30_000,
  restartFactor: 2,
  restartJitter: 0.1,
  restartResetAfterMs: 60_000,
  restartBurst: 5,
  restartWithinMs: 60_000,
  restartCooldownMs: 60_000,
  healthEveryMs: 5_000,
  healthTimeoutMs: 2_000,
  healthRetries: 3,
  healthStartPeriodMs: 0,
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 10_000,
  reloadSignal: 'SIGHUP',
  scheduleKeep: 10,
  vmCpus: 1,
  vmMemoryBytes: 256 * 1024 * 1024,
  templateMode: 0o644,
} as const;
