/**
 * The one Driver interface. A driver hides how an instance of a unit runs
 * (OCI container, QEMU guest, host process, systemd transient unit, fake).
 * The supervisor owns policy and timers; drivers only do what they are told
 * and report what they observe. Every driver keeps the same file layout:
 * `driver.ts` (the Driver), `handle.ts` (what is persisted to re-attach),
 * `state.ts` (observation → InstanceStatus).
 *
 * Logs: every driver writes an instance's output to `handle.logPath` in the
 * CRI "k8s-file" format conmon uses: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`.
 */
import type { PortSpec } from '../config/unit-spec.js';

/** How an instance ended. Expected outcomes are values, not exceptions. */
export interface ExitResult {
  /** exit code, or null when killed by a signal */
  code: number | null;
  /** signal name (e.g. 'SIGKILL') when killed by one */
  signal: string | null;
  oomKilled: boolean;
  /** epoch ms */
  finishedAt: number;
}

/** A resolved mount for one instance. */
export type MountSpec =
  | { type: 'bind'; source: string; target: string; readonly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes?: number; readonly: boolean };

/** Everything a driver needs to run one instance; built by the supervisor. */
export interface InstanceSpec {
  /** unique instance id, e.g. `web-3f9a1c`; also the container/VM name */
  id: string;
  unit: string;
  /** container/vm: overlay lowerdirs, top-most first (image layers + template layer) */
  layers?: string[];
  /** vm: an unmodified disk image to boot copy-on-write instead of layers */
  disk?: string;
  /** argv (entrypoint + command, already combined) */
  argv: string[];
  env: Record<string, string>;
  user?: string;
  workdir?: string;
  hostname: string;
  resources: { memoryBytes?: number; cpus?: number; pids?: number };
  mounts: MountSpec[];
  network: { attach: string[]; ports: PortSpec[] };
  readonlyRootfs?: boolean;
  userns?: boolean;
  /** container: run argv under a tiny init (tini) as PID 1 */
  init?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  vm?: { cpus: number; memoryBytes: number; kernel?: string; disksBytes: number[]; cloudInit: boolean };
  labels?: Record<string, string>;
}

/** What the supervisor persists to find an instance again after a restart. */
export interface Handle {
  id: string;
  unit: string;
  driver: string;
  /** main pid as seen from the host, if any */
  pid?: number;
  startedAt: number;
  logPath: string;
  /** driver-specific, JSON-serialisable */
  data: Record<string, unknown>;
}

export type InstanceState = 'created' | 'running' | 'paused' | 'exited' | 'gone';

/** Observed status, derived from the system (pid, cgroup, exit file), never stored. */
export interface InstanceStatus {
  state: InstanceState;
  pid?: number;
  exit?: ExitResult;
  /** resource usage where the driver can measure it */
  usage?: { cpuNs?: number; memoryBytes?: number; memoryLimitBytes?: number; pids?: number };
  /** network addresses per network name */
  addresses?: Record<string, string>;
  detail?: Record<string, unknown>;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  user: string;
  cpuPercent?: number;
  rssBytes?: number;
  command: string;
}

export interface ExecOptions {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  timeoutMs?: number;
  /** stdin for the command */
  input?: string;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Result of probing whether a driver can work on this host, and how. */
export interface Availability {
  ok: boolean;
  /** one line: what it uses, or why not (e.g. 'crun 1.8.1 (hybrid-cgroup fix)') */
  detail: string;
  hint?: string;
}

export interface Driver {
  readonly kind: string;
  /** Probe the host once (cached by the caller). */
  available(): Promise<Availability>;
  /** Create and start an instance; resolves when its process runs. */
  start(spec: InstanceSpec): Promise<Handle>;
  /** Resolves when the instance exits (also for re-attached instances). */
  wait(handle: Handle): Promise<ExitResult>;
  /** Send `signal`, wait `timeoutMs`, then SIGKILL the whole tree. */
  stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult>;
  kill(handle: Handle, signal: string): Promise<void>;
  pause(handle: Handle): Promise<void>;
  unpause(handle: Handle): Promise<void>;
  exec(handle: Handle, argv: string[], options?: ExecOptions): Promise<ExecResult>;
  inspect(handle: Handle): Promise<InstanceStatus>;
  top(handle: Handle): Promise<ProcessInfo[]>;
  /** Re-attach after an agent restart; resolves to null when it is gone. */
  recover(handle: Handle): Promise<Handle | null>;
  /** Remove everything the instance left (bundle, mounts, netns, cgroup, rules). Idempotent. */
  destroy(handle: Handle): Promise<void>;
}
