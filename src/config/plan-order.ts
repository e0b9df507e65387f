/**
 * Start order of units from their dependencies: `after:`, and the network
 * and volume units a unit attaches or mounts. A unit comes after every unit
 * it depends on; ties (and cycles, which validation refuses
 * earlier) fall back to name order so plans are stable.
 */
import type { UnitSpec } from './unit-spec.js';

/** Names a unit needs started (or created) before it; some may not be units (e.g. network `default`). */
export function dependenciesOf(spec: UnitSpec): string[] {
  const named = spec.volumes.flatMap((v) => (v.type === 'named' ? [v.name] : []));
  return [...new Set([...spec.after.map((a) => a.unit), ...spec.network.attach, ...named])].sort();
}

/** Unit names in an order where dependencies start first. */
export function startOrder(specs: readonly UnitSpec[]): string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name) || visiting.has(name)) return;
    const spec = byName.get(name);
    if (!spec) return;
    visiting.add(name);
    for (const dep of dependenciesOf(spec)) visit(dep);
    visiting.delete(name);
    done.add(name);
    out.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return out;
}
