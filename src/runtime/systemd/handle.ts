/**
 * The systemd driver's handle: the transient unit's name is all it takes to
 * find an instance again; the folder holds its log.
 */
import type { Handle } from '../driver.js';

/** Driver-specific part of a systemd handle. */
export interface SystemdHandleData {
  /** the transient unit, e.g. `berth-web-3f9a1c.service` */
  unitName: string;
  /** the instance's folder (output.log) */
  dir: string;
  /** parts of the InstanceSpec a systemd service cannot honour (image, mounts, ports…) */
  ignored: string[];
}

/** The transient unit name of an instance id. */
export function unitNameFor(id: string): string {
  return `berth-${id.replace(/[^A-Za-z0-9:_.\\-]/g, '_')}.service`;
}

/** Reads the typed data out of a (persisted, hence untyped) handle. */
export function systemdData(handle: Handle): SystemdHandleData {
  const d = handle.data as Partial<SystemdHandleData>;
  return { unitName: String(d.unitName ?? unitNameFor(handle.id)), dir: String(d.dir), ignored: d.ignored ?? [] };
}

/** Builds the handle of a started instance. */
export function makeSystemdHandle(id: string, unit: string, pid: number | undefined, startedAt: number, logPath: string, data: SystemdHandleData): Handle {
  return { id, unit, driver: 'systemd', ...(pid ? { pid } : {}), startedAt, logPath, data: { ...data } };
}
