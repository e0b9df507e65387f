/**
 * Destroying a start that was never confirmed. When the agent dies between
 * beginning a start and persisting the handle, the restarted agent knows
 * only the instance id (UnitRecord.pendingInstance) and hands the driver a
 * handle without driver data. The container and process drivers read their
 * data from the handle, so such a destroy threw (or, for processes, killed
 * nothing) and the half-made or fully running instance stayed: a second
 * copy of the unit next to the one started after recovery. This wraps a
 * driver so a data-less handle is torn down by id from what is on disk.
 */
import { join } from 'node:path';
import { DriverError } from '../errors.js';
import type { ContainerDriver } from '../runtime/container/driver.js';
import { teardown } from '../runtime/container/teardown.js';
import type { Driver, Handle } from '../runtime/driver.js';
import type { Networker } from '../runtime/network/networker.js';
import type { ProcessDriver } from '../runtime/process/driver.js';

/** True for the handle the supervisor makes for an unconfirmed start. */
function isPending(handle: Handle): boolean {
  return !handle.data || Object.keys(handle.data).length === 0;
}

/** Makes `driver.destroy` tear a container down by id when the handle has no data. */
export function destroyPendingContainers(driver: ContainerDriver, root: string, networker?: Networker): Driver {
  const destroy = driver.destroy.bind(driver);
  driver.destroy = async (handle: Handle) => {
    if (!isPending(handle)) return destroy(handle);
    const left = await teardown(root, handle.id, await driver.runtime(), networker);
    if (left.length) throw new DriverError('E_CONTAINER_DESTROY', `could not remove everything of ${handle.id}: ${left.join('; ')}`, { unit: handle.unit, recoverable: true });
  };
  return driver;
}

/** Makes `driver.destroy` kill and remove a host process instance by id (its folder and cgroup) when the handle has no data. */
export function destroyPendingProcesses(driver: ProcessDriver, processRoot: string, cgroupParent = 'berth'): Driver {
  const destroy = driver.destroy.bind(driver);
  driver.destroy = (handle: Handle) => {
    if (!isPending(handle)) return destroy(handle);
    // the shim, not known here, exits by itself once the cgroup is empty
    return destroy({ ...handle, data: { dir: join(processRoot, handle.id), shimPid: 0, cgroup: `${cgroupParent}/${handle.id}` } });
  };
  return driver;
}
