/**
 * Dependency gating, pure: given a unit's `after:` and the states of the
 * units it names, is it clear to start, and if not, what is it waiting for?
 */
import type { UnitSpec } from '../config/unit-spec.js';
import { meetsCondition, type UnitState } from './state.js';

/** The first unmet dependency, or null when the unit may start. */
export interface Blocker {
  dep: string;
  condition: 'started' | 'healthy' | 'completed';
  state: string;
}

/** Looks up a unit's current state and whether it has a health check. */
export type StateLookup = (unit: string) => { state: UnitState; hasHealth: boolean } | undefined;

/** Returns the first dependency that is not there yet, or null. */
export function firstBlocker(spec: UnitSpec, lookup: StateLookup): Blocker | null {
  for (const { unit, condition } of spec.after) {
    const dep = lookup(unit);
    if (!dep) return { dep: unit, condition, state: 'missing' };
    if (!meetsCondition(dep.state, condition, dep.hasHealth)) return { dep: unit, condition, state: dep.state };
  }
  return null;
}

/** Units in start order (dependencies first); ties keep name order. Assumes no cycles (validated). */
export function startOrder(specs: readonly UnitSpec[]): UnitSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: UnitSpec[] = [];
  const seen = new Set<string>();
  const visit = (s: UnitSpec, depth: number): void => {
    if (seen.has(s.name) || depth > specs.length) return;
    seen.add(s.name);
    for (const a of s.after) {
      const dep = byName.get(a.unit);
      if (dep) visit(dep, depth + 1);
    }
    out.push(s);
  };
  for (const s of [...specs].sort((a, b) => a.name.localeCompare(b.name))) visit(s, 0);
  return out;
}

/** Units that depend on `name`, directly or through others. */
export function dependentsOf(name: string, specs: readonly UnitSpec[]): string[] {
  const out = new Set<string>();
  const walk = (n: string): void => {
    for (const s of specs) {
      if (!out.has(s.name) && s.after.some((a) => a.unit === n)) {
        out.add(s.name);
        walk(s.name);
      }
    }
  };
  walk(name);
  return [...out];
}
