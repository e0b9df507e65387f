/**
 * Carries out an apply's plan once everything was loaded and checked:
 * networks and volumes first, then each unit created, updated, reloaded,
 * restarted or removed, dependents of a restarted unit restarted after it,
 * removed objects deleted, and every unit wanted up brought up in start order.
 */
import type { Plan } from '../config/plan-types.js';
import type { UnitSpec } from '../config/unit-spec.js';
import type { DesiredSet } from './agent-deps.js';
import type { AgentCore } from './agent-core.js';
import { dependentsOf, startOrder } from './dependency-gate.js';
import { isLive } from './state.js';
import { isObjectKind } from './unit-kinds.js';

/** Applies `plan` (made from `desired`) to the agent. `respectStops` keeps units a user stopped down unless they changed. */
export async function executePlan(core: AgentCore, desired: DesiredSet, plan: Plan, respectStops: boolean): Promise<void> {
  const byName = new Map(desired.units.map((u) => [u.spec.name, u]));
  const restarted = new Set<string>();
  // Networks and volumes first: services attach to them.
  for (const unit of desired.units) {
    if (!isObjectKind(unit.spec)) continue;
    await core.deps.ensureObject(unit.spec);
    core.objects.set(unit.spec.name, unit.spec);
  }
  const removedObjects: UnitSpec[] = [];
  for (const action of plan.actions) {
    const object = core.objects.get(action.unit);
    if (action.kind === 'remove' && object) {
      removedObjects.push(object);
      core.objects.delete(action.unit);
    }
  }
  for (const action of plan.actions) {
    const unit = byName.get(action.unit);
    if (unit && isObjectKind(unit.spec)) continue;
    const sup = core.units.get(action.unit);
    if (action.kind === 'remove' && sup) {
      sup.removing = true; // persisted by the stop: if the agent dies before the record goes, a later apply that has it brings it up
      await sup.stop('manual', false);
      sup.detach();
      core.units.delete(action.unit);
      continue;
    }
    if (!unit) continue;
    if (sup?.removing) {
      // its removal was cut short (agent killed) and the folder has it again: wanted up like a new unit
      sup.removing = false;
      sup.desired = 'up';
      sup.tracker.stopRequested = false;
    }
    const files = unit.files.map((f) => ({ dest: f.dest, sha256: f.sha256, onChange: f.onChange }));
    if (action.kind === 'create' || !sup) {
      await core.deps.installFiles(unit);
      const fresh = core.newSupervisor(unit.spec, files);
      fresh.desired = 'up';
      continue;
    }
    if (action.kind === 'none' || action.kind === 'update') {
      // on_change: none still gets the new file in place (instances see it through the config mount)
      if (action.kind === 'update' && action.diffs.length) await core.deps.installFiles(unit);
      sup.spec = unit.spec;
      sup.files = files;
      if (!respectStops && sup.desired === 'down') {
        sup.desired = 'up';
        sup.tracker.stopRequested = false;
      }
      continue;
    }
    await core.deps.installFiles(unit);
    const changedTemplates = action.diffs.map((d) => d.dest);
    sup.files = files;
    if (action.kind === 'reload' && isLive(sup.state)) {
      sup.spec = unit.spec;
      await sup.reload(changedTemplates).catch(async () => sup.restart('template'));
    } else if (action.kind === 'restart' || action.kind === 'reload') {
      restarted.add(sup.name);
      const cause = changedTemplates.length && !action.fields.length ? 'template' : 'manual';
      if (isLive(sup.state) || sup.desired === 'up') await sup.restart(cause, unit.spec);
      else sup.spec = unit.spec;
    }
  }
  // Dependents of a restarted unit restart after it (they wait for it again).
  for (const name of restarted) {
    for (const dep of dependentsOf(name, desired.units.map((u) => u.spec))) {
      const sup = core.units.get(dep);
      if (sup && isLive(sup.state) && !restarted.has(dep)) {
        restarted.add(dep);
        await sup.stop('dependency', false);
        sup.desired = 'up';
      }
    }
  }
  for (const spec of removedObjects) await core.deps.removeObject(spec).catch((err: unknown) => core.emit({ type: 'unit.failed', unit: spec.name, reason: `not removed: ${(err as Error).message}` }));
  for (const spec of startOrder(desired.units.map((u) => u.spec).filter((s) => !isObjectKind(s)))) {
    const sup = core.units.get(spec.name);
    if (!sup || sup.desired !== 'up') continue;
    const isNewJobRun = spec.kind === 'job' && !spec.schedule && (plan.actions.find((a) => a.unit === spec.name)?.kind ?? 'none') !== 'none';
    if (spec.kind === 'job' && !isNewJobRun) continue;
    if (!isLive(sup.state) && sup.state !== 'starting') core.bringUp(sup);
  }
}
