/**
 * What a container driver persists in `Handle.data` to find a container
 * again after the agent restarts, and the on-disk layout of a container
 * under `<root>/containers/<id>/` (bundle, overlay dirs, conmon files).
 */
import { join } from 'node:path';
import type { Handle } from '../driver.js';
import type { AttachRequest } from '../network/networker.js';

/** Paths of one container's files (pure: derived from root and id). */
export interface ContainerPaths {
  dir: string;
  config: string;
  rootfs: string;
  /** what the create wrapper mounts (the overlay rootfs), see create-wrapper.ts */
  mountsFstab: string;
  upper: string;
  work: string;
  pidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  exitFile: string;
  persistDir: string;
  oomFile: string;
  hosts: string;
  hostname: string;
  resolvConf: string;
  handleFile: string;
}

/** The layout of `<root>/containers/<id>/`. */
export function containerPaths(root: string, id: string): ContainerPaths {
  const dir = join(root, 'containers', id);
  return {
    dir,
    config: join(dir, 'config.json'),
    rootfs: join(dir, 'rootfs'),
    mountsFstab: join(dir, 'mounts.fstab'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    pidFile: join(dir, 'pid'),
    conmonPidFile: join(dir, 'conmon.pid'),
    logPath: join(dir, 'ctr.log'),
    exitDir: join(dir, 'exit'),
    exitFile: join(dir, 'exit', id),
    persistDir: join(dir, 'persist'),
    oomFile: join(dir, 'persist', 'oom'),
    hosts: join(dir, 'hosts'),
    hostname: join(dir, 'hostname'),
    resolvConf: join(dir, 'resolv.conf'),
    handleFile: join(dir, 'handle.json'),
  };
}

/** The driver-specific part of a container Handle. */
export interface ContainerHandleData {
  /** state root the container lives under */
  root: string;
  conmonPid: number;
  runtime: string;
  /** berth's netns (/run/netns/berth-<id>) for networked containers; '' when the runtime made one */
  netnsPath: string;
  /** what was attached, to detach it again (null when no networker or no networks) */
  attach: AttachRequest | null;
  /** the instance's address on each network it was attached to */
  addresses?: Record<string, string>;
}

/** Reads and checks `handle.data`; throws on a handle of another driver. */
export function handleData(handle: Handle): ContainerHandleData {
  const d = handle.data as Partial<ContainerHandleData>;
  if (handle.driver !== 'container' || typeof d.root !== 'string' || typeof d.conmonPid !== 'number') {
    throw new Error(`not a container handle: ${handle.id} (driver ${handle.driver})`);
  }
  return d as ContainerHandleData;
}
