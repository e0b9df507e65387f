/**
 * Observation → InstanceStatus, derived every time, never stored: the
 * runtime's `state`, conmon's exit file, the OOM evidence and cgroup usage.
 */
import type { ExitResult, InstanceStatus } from '../driver.js';
import type { CgroupUsage } from './cgroup.js';
import { decodeStatus } from './exit-file.js';
import type { RuntimeState } from './oci-runtime.js';

/** What was observed about one container. */
export interface ContainerObservation {
  runtime: RuntimeState | null;
  /** conmon's exit status, or null when no exit file */
  exitStatus: number | null;
  exitedAt?: number;
  oomKilled: boolean;
  usage: CgroupUsage;
}

/** conmon's status + OOM evidence → ExitResult. */
export function toExitResult(status: number | null, oomKilled: boolean, finishedAt: number): ExitResult {
  const { code, signal } = status === null ? { code: null, signal: null } : decodeStatus(status);
  return { code, signal, oomKilled, finishedAt };
}

/** The status a container is in, from what was observed (pure). */
export function deriveStatus(o: ContainerObservation): InstanceStatus {
  if (o.exitStatus !== null) {
    return { state: 'exited', exit: toExitResult(o.exitStatus, o.oomKilled, o.exitedAt ?? 0) };
  }
  const r = o.runtime;
  if (r === null) return { state: 'gone' };
  const usage = { ...o.usage };
  switch (r.status) {
    case 'running':
      return { state: 'running', pid: r.pid, usage };
    case 'paused':
      return { state: 'paused', pid: r.pid, usage };
    case 'created':
    case 'creating':
      return { state: 'created', pid: r.pid, usage };
    case 'stopped':
      return { state: 'exited', exit: toExitResult(null, o.oomKilled, o.exitedAt ?? 0) };
  }
}
