/**
 * What one UnitSupervisor needs from the agent around it: a driver, a way to
 * turn its spec into an InstanceSpec, the event sink, the clock, and a hook
 * to persist state. Injected, so the supervisor runs the same against the
 * fake driver and a fake clock in tests as against crun in production.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import type { Driver, Handle, InstanceSpec } from '../runtime/driver.js';
import type { Clock } from './clock.js';
import type { EventBody } from './events.js';

/** A rendered template as the supervisor tracks it. */
export interface UnitFileState {
  dest: string;
  sha256: string;
  onChange: 'restart' | 'reload' | 'none';
}

export interface UnitRuntime {
  /** the driver for this unit's isolation */
  driver: Driver;
  /** builds the InstanceSpec for a new instance (image layers, template layer, mounts, network) */
  prepare(spec: UnitSpec, instanceId: string): Promise<InstanceSpec>;
  /** appends an event to the ledger (the core never prints) */
  emit(body: EventBody): void;
  /**
   * Called after every change worth keeping across an agent restart. With
   * `now`, the state is on disk when it returns (used around driver.start so
   * a kill -9 can never leave an instance nobody knows about).
   */
  persist(now?: boolean): void;
  /** keeps an ended instance's log with its unit before the instance is removed */
  archiveLog?(handle: Handle): void;
  /** the last lines of an instance's log, for `unit.exited` */
  logTail(handle: Handle, lines: number): Promise<string[]>;
  clock: Clock;
  random: () => number;
  /** limits how many units start at once (boot storm); resolves to a release function */
  startSlot(): Promise<() => void>;
  /** told whenever the unit's state changes, so dependents can be re-checked */
  onStateChange(unit: string): void;
}
