/**
 * The process driver's handle: enough to find an instance again after an
 * agent restart (its folder, the shim's pid, the cgroup folders).
 */
import type { Handle } from '../driver.js';

/** Driver-specific part of a process handle. */
export interface ProcessHandleData {
  /** the instance's folder: exit.json, shim.log, output.log */
  dir: string;
  shimPid: number;
  /** cgroup path below each hierarchy, e.g. `berth/web-3f9a1c` */
  cgroup: string;
  /** resource limits that could not be applied (warnings) */
  missedLimits: string[];
  /** parts of the InstanceSpec a host process cannot honour (mounts, ports, layers…) */
  ignored?: string[];
}

/** Reads the typed data out of a (persisted, hence untyped) handle. */
export function processData(handle: Handle): ProcessHandleData {
  const d = handle.data as Partial<ProcessHandleData>;
  return { dir: String(d.dir), shimPid: Number(d.shimPid), cgroup: String(d.cgroup), missedLimits: d.missedLimits ?? [], ignored: d.ignored ?? [] };
}

/** Builds the handle of a started instance. */
export function makeProcessHandle(id: string, unit: string, pid: number, startedAt: number, logPath: string, data: ProcessHandleData): Handle {
  return { id, unit, driver: 'process', pid, startedAt, logPath, data: { ...data } };
}
