/**
 * Finds the unit a Docker client means: a name (with or without the leading
 * slash), a full id, or an unambiguous id prefix — as dockerd does.
 */
import { BerthError } from '../../errors.js';
import type { Agent } from '../../supervisor/agent.js';
import type { UnitSupervisor } from '../../supervisor/unit-supervisor.js';
import { containerId } from '../containers/container-name.js';

/** The supervisor for a Docker container reference, or a 404-coded error. */
export function findContainer(agent: Agent, ref: string): UnitSupervisor {
  const name = ref.replace(/^\//, '');
  const byName = agent.units.get(name);
  if (byName) return byName;
  const hits = /^[0-9a-f]+$/.test(ref) ? [...agent.units.values()].filter((s) => containerId(s.spec).startsWith(ref)) : [];
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new BerthError('E_AMBIGUOUS', `multiple containers found with provided prefix: ${ref}`);
  throw new BerthError('E_UNIT_NOT_FOUND', `No such container: ${ref}`);
}
