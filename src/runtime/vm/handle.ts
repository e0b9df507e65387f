/**
 * The VM driver's handle: enough to find a guest again after an agent
 * restart — its folder (log, exit.json, control FIFO), the QMP socket, the
 * shim's and QEMU's pids, and how it was booted.
 */
import type { Handle } from '../driver.js';

/** Driver-specific part of a VM handle. */
export interface VmHandleData {
  /** the instance's folder: output.log, exit.json, control, qmp.sock, ready, booted */
  dir: string;
  qmpSocket: string;
  shimPid: number;
  accel: 'kvm' | 'tcg';
  accelWhy: string;
  /** 'microvm': the unit's image with berth's /init; 'disk': a disk image, copy-on-write */
  mode: 'microvm' | 'disk';
  /** parts of the InstanceSpec a VM does not honour yet */
  ignored: string[];
  /** on berth networks: network name → the guest's address */
  addresses?: Record<string, string>;
  /** on berth networks: the guest's network namespace (QEMU runs in it) */
  netns?: string;
  /** its /init answers BERTH-EXEC (micro-VMs started by a berth that supports exec) */
  exec?: boolean;
}

/** Reads the typed data out of a (persisted, hence untyped) handle. */
export function vmData(handle: Handle): VmHandleData {
  const d = handle.data as Partial<VmHandleData>;
  return {
    dir: String(d.dir),
    qmpSocket: String(d.qmpSocket),
    shimPid: Number(d.shimPid),
    accel: d.accel === 'kvm' ? 'kvm' : 'tcg',
    accelWhy: String(d.accelWhy ?? ''),
    mode: d.mode === 'disk' ? 'disk' : 'microvm',
    ignored: d.ignored ?? [],
    ...(d.addresses ? { addresses: d.addresses } : {}),
    ...(d.netns ? { netns: d.netns } : {}),
    ...(d.exec ? { exec: true } : {}),
  };
}

/** Builds the handle of a started guest (pid: QEMU's). */
export function makeVmHandle(id: string, unit: string, pid: number, startedAt: number, logPath: string, data: VmHandleData): Handle {
  return { id, unit, driver: 'vm', pid, startedAt, logPath, data: { ...data } };
}
