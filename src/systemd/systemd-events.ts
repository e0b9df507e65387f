/**
 * Typed events from systemd's Manager and units, as the adapter emits them
 * (after Subscribe): jobs finishing, units appearing and going, and unit
 * properties changing.
 */
import type { UnitProperties } from './unit-properties.js';

/** A systemd job ended (`result`: done, canceled, timeout, failed, dependency, skipped). */
export interface JobRemovedEvent { type: 'job-removed'; id: number; job: string; unit: string; result: string }
/** A unit was loaded. */
export interface UnitNewEvent { type: 'unit-new'; unit: string; path: string }
/** A unit was unloaded (garbage-collected). */
export interface UnitRemovedEvent { type: 'unit-removed'; unit: string; path: string }
/** Some properties of a unit changed; `changed` holds only what this signal carried. */
export interface UnitChangedEvent { type: 'unit-changed'; unit: string; path: string; interface: string; changed: UnitProperties; invalidated: string[] }
/** The bus connection was lost; the adapter is unusable afterwards. */
export interface DisconnectedEvent { type: 'disconnected'; error: string }

/** Everything the adapter emits. */
export type SystemdEvent = JobRemovedEvent | UnitNewEvent | UnitRemovedEvent | UnitChangedEvent | DisconnectedEvent;
