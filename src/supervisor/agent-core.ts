/**
 * AgentCore: what the Agent's helpers (plan execution, recovery) need of it —
 * its unit maps and a few of its operations — passed as one object so those
 * helpers live in their own files while the Agent keeps its members private.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import type { AgentDeps } from './agent-deps.js';
import type { EventBody } from './events.js';
import type { UnitFileState } from './unit-runtime.js';
import type { UnitRecord, UnitSupervisor } from './unit-supervisor.js';

/** The Agent's insides, as its helpers see them. */
export interface AgentCore {
  readonly deps: AgentDeps;
  /** supervised units by name */
  readonly units: Map<string, UnitSupervisor>;
  /** network and volume units by name */
  readonly objects: Map<string, UnitSpec>;
  /** units read from the state file whose recovery has not finished, with their record as it was */
  readonly recovering: Map<string, UnitRecord>;
  /** makes and registers the supervisor of a unit (throws when its isolation has no driver) */
  newSupervisor(spec: UnitSpec, files: UnitFileState[]): UnitSupervisor;
  /** starts a unit now, or parks it as waiting for a dependency */
  bringUp(sup: UnitSupervisor): void;
  emit(body: EventBody): void;
}
