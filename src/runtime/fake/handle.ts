/**
 * The fake driver's handle: what the supervisor persists. `data.host` names
 * the FakeHost so a second driver (a "restarted agent") can find the
 * instance again.
 */
import type { Handle } from '../driver.js';

/** Driver-specific part of a fake handle. */
export interface FakeHandleData {
  /** which scripted behaviour (0-based start count of the unit) this instance follows */
  behaviour: number;
  host: string;
}

/** Builds the handle for a new fake instance. */
export function makeFakeHandle(id: string, unit: string, pid: number, startedAt: number, data: FakeHandleData): Handle {
  return { id, unit, driver: 'fake', pid, startedAt, logPath: `fake://${id}/log`, data: { ...data } };
}
