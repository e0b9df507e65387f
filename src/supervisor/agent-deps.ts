/**
 * What the Agent needs from the layers below — drivers, the unit folder
 * loader, preflight checks, objects, files, instance specs, logs and health —
 * injected by the composition root (host-agent.ts) or a test fixture.
 */
import type { ConfigError } from '../errors.js';
import type { BerthError } from '../errors.js';
import type { DesiredUnit } from '../config/plan-types.js';
import type { UnitSpec } from '../config/unit-spec.js';
import type { Driver, Handle, InstanceSpec } from '../runtime/driver.js';
import type { Clock } from './clock.js';
import type { Ledger } from './ledger.js';
import type { UnitHealth } from './unit-health.js';
import type { UnitSupervisor } from './unit-supervisor.js';

/** The result of loading and rendering a folder: all of it, or every error. */
export interface DesiredSet {
  units: DesiredUnit[];
  errors: (ConfigError | BerthError)[];
  /** secret values, to redact from anything shown */
  secrets: string[];
}

/** Everything the agent needs from the layers below; injected (composition in host-agent.ts). */
export interface AgentDeps {
  root: string;
  ledger: Ledger;
  clock: Clock;
  random: () => number;
  /** the driver for an isolation, or why there is none */
  driverFor(spec: UnitSpec): Driver | { unavailable: string };
  /** loads, validates and renders a unit folder */
  loadDesired(dir: string): Promise<DesiredSet>;
  /** checks what apply needs before changing anything (images exist or can be made…) */
  preflight(unit: DesiredUnit): Promise<BerthError | undefined>;
  /** creates (idempotently) what a network or volume unit declares */
  ensureObject(spec: UnitSpec): Promise<void>;
  /** removes a network or volume unit's object (a volume's data is kept) */
  removeObject(spec: UnitSpec): Promise<void>;
  /** writes a unit's rendered files where its instances see them (atomic per file) */
  installFiles(unit: DesiredUnit): Promise<void>;
  /** builds the InstanceSpec of a new instance */
  prepare(spec: UnitSpec, instanceId: string): Promise<InstanceSpec>;
  logTail(handle: Handle, lines: number): Promise<string[]>;
  /** health checks of a unit (undefined when it has none) */
  healthFor?(sup: UnitSupervisor): UnitHealth | undefined;
  /** how often running instances are checked for drift (0: never) */
  driftEveryMs?: number;
  /** how many units may be starting at once */
  maxConcurrentStarts?: number;
}
