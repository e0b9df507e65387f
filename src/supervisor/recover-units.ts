/**
 * Agent recovery, in two steps so the API can answer while it runs: first,
 * at once, every unit of the state file is registered (listed as
 * "recovering"); then each is re-attached, found ended, or resumed, and the
 * units that should be up but are not are started. Starts nothing twice.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import type { AgentStateFile } from './agent-state.js';
import type { AgentCore } from './agent-core.js';
import { startOrder } from './dependency-gate.js';
import { isObjectKind } from './unit-kinds.js';
import type { UnitRecord } from './unit-supervisor.js';

/** What is left to recover after registering: the stored objects to ensure and the unit records. */
export interface PendingRecovery {
  objects: UnitSpec[];
  units: UnitRecord[];
}

/** Registers the state file's objects and units without waiting for anything. */
export function registerRecords(core: AgentCore, state: AgentStateFile): PendingRecovery {
  for (const [name, o] of Object.entries(state.objects ?? {})) core.objects.set(name, o.spec);
  // network/volume units stored as supervised units by older agents become objects
  for (const r of Object.values(state.units)) if (isObjectKind(r.spec)) core.objects.set(r.spec.name, r.spec);
  const records: UnitRecord[] = [];
  for (const record of Object.values(state.units).filter((r) => !isObjectKind(r.spec))) {
    try {
      core.newSupervisor(record.spec, record.files);
    } catch (err) {
      core.emit({ type: 'unit.failed', unit: record.spec.name, reason: (err as Error).message });
      continue;
    }
    core.recovering.set(record.spec.name, record);
    records.push(record);
  }
  return { objects: Object.values(state.objects ?? {}).map((o) => o.spec), units: records };
}

/**
 * Ensures the objects, recovers each registered unit, then starts what is
 * wanted up but not running. Resolves with how many instances were re-attached.
 */
export async function recoverRecords(core: AgentCore, pending: PendingRecovery): Promise<number> {
  for (const spec of pending.objects) {
    await core.deps.ensureObject(spec).catch((err: unknown) => core.emit({ type: 'unit.failed', unit: spec.name, reason: (err as Error).message }));
  }
  const records = pending.units;
  let attached = 0;
  for (const record of records) {
    const sup = core.units.get(record.spec.name);
    try {
      if (sup && (await sup.recover(record)) === 'attached') attached++;
    } finally {
      core.recovering.delete(record.spec.name);
    }
  }
  for (const spec of startOrder(records.map((r) => r.spec))) {
    const sup = core.units.get(spec.name);
    // wanted up but not running: never started, or stopped mid-restart when the agent died (a unit that stayed down by its policy is desired down)
    if (sup && sup.desired === 'up' && (sup.state === 'created' || sup.state === 'exited') && spec.kind !== 'job') core.bringUp(sup);
  }
  return attached;
}
