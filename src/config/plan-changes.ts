/**
 * The planner: desired units (the folder, rendered) against observed units
 * (what was applied last) → one action per unit, with the reason, the
 * changed fields and a diff of each changed rendered file. Pure; secrets
 * are redacted from diffs and reasons with the values the caller passes.
 */
import { createTwoFilesPatch } from 'diff';
import { changedFields, fieldEffect } from './plan-fields.js';
import { startOrder } from './plan-order.js';
import type { Action, ActionKind, DesiredUnit, FileDiff, ObservedFile, ObservedUnit, Plan } from './plan-types.js';
import { redact, redactDeep } from './redact.js';
import type { RenderedFile } from './render-unit.js';
import type { UnitSpec } from './unit-spec.js';

/** Options of planChanges. */
export interface PlanOptions {
  /** every secret value in play; removed from diffs and reasons */
  secretValues?: string[];
}

const STRENGTH: Record<string, number> = { none: 0, update: 1, reload: 2, restart: 3 };

/** "a changed", "a and b changed", "a, b and 2 more changed". */
function listChanged(paths: string[]): string {
  if (paths.length === 1) return `${paths[0]} changed`;
  if (paths.length === 2) return `${paths[0]} and ${paths[1]} changed`;
  return `${paths[0]}, ${paths[1]} and ${paths.length - 2} more changed`;
}

function reloadHow(spec: UnitSpec): string {
  return spec.reload.command ? `reload (${spec.reload.command.join(' ')})` : `reload (${spec.reload.signal})`;
}

function fileDiff(dest: string, before: string | undefined, after: string | undefined, oldSha: string, newSha: string, secrets: string[]): FileDiff {
  if (before === undefined && oldSha !== '') {
    return { dest, unified: `(previous content not stored; sha256 ${oldSha.slice(0, 12)} → ${newSha.slice(0, 12) || 'removed'})\n` };
  }
  const a = redact(before ?? '', secrets);
  const b = redact(after ?? '', secrets);
  if (a === b) return { dest, unified: '(only secret values changed)\n' };
  const patch = createTwoFilesPatch(before === undefined ? '/dev/null' : dest, after === undefined ? '/dev/null' : dest, a, b, '', '', { context: 3 });
  // drop the "Index:" and "====" banner lines createTwoFilesPatch may start with
  return { dest, unified: patch.replace(/^Index: .*\n/, '').replace(/^=+\n/, '') };
}

interface Change { strength: number; reason: string }

/** Compares one unit's two versions. */
function compareUnit(want: DesiredUnit, had: ObservedUnit, secrets: string[]): Action {
  // stored specs carry ••• where a secret was rendered into a string (toObservedUnit), so compare redacted forms
  const fields = changedFields(redactDeep(had.spec, secrets), redactDeep(want.spec, secrets));
  const changes: Change[] = [];
  const isJob = want.spec.kind === 'job';
  const restartFields = fields.filter((f) => fieldEffect(f) === 'restart');
  const updateFields = fields.filter((f) => fieldEffect(f) === 'update' && !f.startsWith('templates'));
  if (restartFields.length > 0) {
    changes.push(isJob
      ? { strength: 1, reason: `${listChanged(restartFields)} (applies at the next run)` }
      : { strength: 3, reason: listChanged(restartFields) });
  }
  if (updateFields.length > 0) changes.push({ strength: 1, reason: listChanged(updateFields) });

  const diffs: FileDiff[] = [];
  const old = new Map<string, ObservedFile>(had.files.map((f) => [f.dest, f]));
  const now = new Map<string, RenderedFile>(want.files.map((f) => [f.dest, f]));
  for (const f of want.files) {
    const o = old.get(f.dest);
    if (!o) {
      changes.push({ strength: isJob ? 1 : 3, reason: `template ${f.dest} added` });
      diffs.push(fileDiff(f.dest, undefined, f.content, '', f.sha256, secrets));
      continue;
    }
    const modeChanged = o.mode !== undefined && o.mode !== f.mode;
    if (o.sha256 === f.sha256 && !modeChanged) continue;
    const what = o.sha256 === f.sha256 ? `template ${f.dest} mode changed` : `template ${f.dest} changed`;
    const effect = isJob ? 'none' : f.onChange;
    if (effect === 'restart') changes.push({ strength: 3, reason: `${what} → restart` });
    else if (effect === 'reload') changes.push({ strength: 2, reason: `${what} → ${reloadHow(want.spec)}` });
    else changes.push({ strength: 1, reason: `${what} (${isJob ? 'used at the next run' : 'on change: none'})` });
    if (o.sha256 !== f.sha256) diffs.push(fileDiff(f.dest, o.content, f.content, o.sha256, f.sha256, secrets));
  }
  for (const o of had.files) {
    if (now.has(o.dest)) continue;
    changes.push({ strength: isJob ? 1 : 3, reason: `template ${o.dest} removed` });
    diffs.push(fileDiff(o.dest, o.content, undefined, o.content === undefined ? o.sha256 : '', '', secrets));
  }
  if (changes.length === 0) return { unit: want.spec.name, kind: 'none', reason: 'unchanged', fields: [], diffs: [] };
  const strongest = changes.reduce((a, b) => (b.strength > a.strength ? b : a));
  const kind = (Object.keys(STRENGTH).find((k) => STRENGTH[k] === strongest.strength) ?? 'update') as ActionKind;
  return { unit: want.spec.name, kind, reason: redact(strongest.reason, secrets), fields, diffs };
}

/** Dependents (after: healthy|started) of a restarted unit restart after it, transitively; so do users of a recreated network or volume. */
function propagateRestarts(actions: Map<string, Action>, desired: DesiredUnit[], order: string[]): void {
  const specs = new Map(desired.map((d) => [d.spec.name, d.spec]));
  for (const name of order) {
    const action = actions.get(name);
    const spec = specs.get(name);
    if (!action || !spec || action.kind === 'create' || action.kind === 'restart' || spec.kind === 'job') continue;
    const dep = spec.after.find((a) => a.condition !== 'completed' && actions.get(a.unit)?.kind === 'restart');
    if (dep) {
      actions.set(name, { ...action, kind: 'restart', reason: `after ${dep.unit} restarts` });
      continue;
    }
    // a recreated network or volume takes its users down with it
    const named = spec.volumes.flatMap((v) => (v.type === 'named' ? [v.name] : []));
    const shared = [...spec.network.attach, ...named].find((n) => specs.get(n) && specs.get(n)!.kind !== 'service' && actions.get(n)?.kind === 'restart');
    if (shared) actions.set(name, { ...action, kind: 'restart', reason: `${specs.get(shared)!.kind} ${shared} is recreated` });
  }
}

/** Plans what applying `desired` over `observed` does, unit by unit. */
export function planChanges(desired: DesiredUnit[], observed: ObservedUnit[], options: PlanOptions = {}): Plan {
  const secrets = options.secretValues ?? [];
  const had = new Map(observed.map((o) => [o.spec.name, o]));
  const want = new Map(desired.map((d) => [d.spec.name, d]));
  const order = startOrder(desired.map((d) => d.spec));
  const actions = new Map<string, Action>();
  for (const name of order) {
    const d = want.get(name)!;
    const o = had.get(name);
    if (!o) {
      const diffs = d.files.map((f) => fileDiff(f.dest, undefined, f.content, '', f.sha256, secrets));
      actions.set(name, { unit: name, kind: 'create', reason: `new ${d.spec.kind}`, fields: [], diffs });
    } else actions.set(name, compareUnit(d, o, secrets));
  }
  propagateRestarts(actions, desired, order);
  const removes: Action[] = startOrder(observed.map((o) => o.spec))
    .filter((n) => !want.has(n))
    .reverse()
    .map((n) => ({ unit: n, kind: 'remove', reason: `no longer declared (was a ${had.get(n)!.spec.kind})`, fields: [], diffs: [] }));
  const list = [...removes, ...order.map((n) => actions.get(n)!)];
  const count = (k: ActionKind) => list.filter((a) => a.kind === k).length;
  return {
    actions: list,
    summary: { create: count('create'), remove: count('remove'), restart: count('restart'), reload: count('reload'), update: count('update'), unchanged: count('none') },
  };
}
