/**
 * Set rules over all units of a folder: duplicate names, `after:`
 * references (existence, kind, condition), networks to attach, named
 * volumes, dependency cycles and host ports published twice.
 *
 * Named volumes: a `volumes[].name` that is not a volume unit is created on
 * demand (as the schema says), unless it is within two edits of a declared
 * volume unit — then it is most likely a typo that would silently give the
 * unit a new, empty volume, so it is an error with "did you mean".
 */
import { basename } from 'node:path';
import type { ConfigError } from '../errors.js';
import { didYouMean, suggestionSuffix } from './did-you-mean.js';
import { errorAt, type UnitSource } from './error-at.js';
import { findCycles } from './find-cycles.js';
import { parsePort } from './parse-port.js';
import type { UnitFile } from './unit-schema.js';

/** One schema-valid unit and where it was read from. */
export interface LocatedUnit {
  unit: UnitFile;
  src: UnitSource;
  /**
   * A unit whose file has schema errors but a readable name and kind: it
   * counts as existing (so others' references to it are not reported too);
   * only its `after` and `network.attach` are checked (cycles included).
   */
  partial?: boolean;
}

const WORKLOADS = new Set(['service', 'job', 'vm']);

function duplicates(units: LocatedUnit[]): ConfigError[] {
  const byName = new Map<string, LocatedUnit[]>();
  for (const u of units) byName.set(u.unit.name, [...(byName.get(u.unit.name) ?? []), u]);
  const out: ConfigError[] = [];
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    for (const u of same) {
      const others = same.filter((o) => o !== u).map((o) => `${basename(o.src.file)}:${o.src.locator.value(['name']).line}`);
      out.push(errorAt(u.src, 'E_DUPLICATE_NAME', `unit name \`${name}\` is also used in ${others.join(', ')}`, ['name'], 'value', 'unit names must be unique in a folder'));
    }
  }
  return out;
}

function afterRefs(u: LocatedUnit, byName: Map<string, LocatedUnit>): ConfigError[] {
  const out: ConfigError[] = [];
  for (const [target, condition] of Object.entries(u.unit.after ?? {})) {
    const t = byName.get(target);
    const path = ['after', target];
    if (!t) {
      out.push(errorAt(u.src, 'E_UNKNOWN_UNIT', `\`after\` names unit \`${target}\`, which does not exist${suggestionSuffix(target, byName.keys())}`, path, 'key'));
    } else if (!WORKLOADS.has(t.unit.kind)) {
      out.push(errorAt(u.src, 'E_BAD_REF', `\`${target}\` is a ${t.unit.kind} unit: \`after\` waits only for services, jobs and vms`, path, 'key', `a ${t.unit.kind} is created before the units that use it; remove it from \`after\``));
    } else if (t.partial) {
      continue;
    } else if (condition === 'completed' && t.unit.kind !== 'job') {
      out.push(errorAt(u.src, 'E_AFTER_CONDITION', `\`${target}\` is a ${t.unit.kind}: \`completed\` is only for jobs`, path, 'value', 'use `started` or `healthy`'));
    } else if (condition === 'healthy' && !t.unit.health) {
      out.push(errorAt(u.src, 'E_AFTER_CONDITION', `\`${target}\` has no health check, so it never becomes healthy`, path, 'value', `add \`health:\` to ${target}, or wait for \`started\``));
    }
  }
  return out;
}

function attachRefs(u: LocatedUnit, byName: Map<string, LocatedUnit>, networks: string[]): ConfigError[] {
  const out: ConfigError[] = [];
  u.unit.network?.attach?.forEach((net, i) => {
    if (net === 'default' || networks.includes(net)) return;
    const other = byName.get(net);
    const message = other
      ? `\`${net}\` is a ${other.unit.kind} unit, not a network`
      : `network \`${net}\` does not exist${suggestionSuffix(net, ['default', ...networks])}`;
    out.push(errorAt(u.src, 'E_UNKNOWN_NETWORK', message, ['network', 'attach', i], 'value', 'attach `default` or a unit of kind network'));
  });
  return out;
}

function volumeRefs(u: LocatedUnit, volumes: string[]): ConfigError[] {
  const out: ConfigError[] = [];
  u.unit.volumes?.forEach((v, i) => {
    if (v.name === undefined || volumes.includes(v.name)) return;
    const near = didYouMean(v.name, volumes);
    if (near) {
      out.push(errorAt(u.src, 'E_UNKNOWN_VOLUME', `volume \`${v.name}\` is not a volume unit — did you mean \`${near}\`?`, ['volumes', i, 'name'], 'value', 'a name that is not a volume unit gets a new, empty volume'));
    }
  });
  return out;
}

function cycles(units: LocatedUnit[], byName: Map<string, LocatedUnit>): ConfigError[] {
  const edges = new Map<string, string[]>();
  for (const u of units) edges.set(u.unit.name, Object.keys(u.unit.after ?? {}).filter((t) => byName.has(t)));
  return findCycles(edges).map((cycle) => {
    const first = byName.get(cycle[0]!)!;
    return errorAt(first.src, 'E_CYCLE', `dependency cycle: ${cycle.join(' → ')}`, ['after', cycle[1]!], 'key', 'remove one of these `after` entries');
  });
}

function portConflicts(units: LocatedUnit[]): ConfigError[] {
  // host port/protocol → who published it on which address
  const seen = new Map<string, { u: LocatedUnit; ip: string }[]>();
  const out: ConfigError[] = [];
  for (const u of units) {
    u.unit.network?.ports?.forEach((text, i) => {
      const p = parsePort(text);
      if ('error' in p) return;
      const key = `${p.hostPort}/${p.protocol}`;
      const prior = (seen.get(key) ?? []).find((s) => s.u !== u && (s.ip === p.hostIp || s.ip === '0.0.0.0' || p.hostIp === '0.0.0.0'));
      if (prior) {
        out.push(errorAt(u.src, 'E_PORT_CONFLICT', `host port ${key} is also published by \`${prior.u.unit.name}\` (${basename(prior.u.src.file)})`, ['network', 'ports', i], 'value', 'publish a different host port'));
        return;
      }
      seen.set(key, [...(seen.get(key) ?? []), { u, ip: p.hostIp }]);
    });
  }
  return out;
}

/** All folder-wide rules over schema-valid units; errors point into the files concerned. */
export function checkUnitSet(units: LocatedUnit[]): ConfigError[] {
  const byName = new Map<string, LocatedUnit>();
  for (const u of units) if (!byName.has(u.unit.name)) byName.set(u.unit.name, u);
  const networks = units.filter((u) => u.unit.kind === 'network').map((u) => u.unit.name);
  const volumes = units.filter((u) => u.unit.kind === 'volume').map((u) => u.unit.name);
  const out = duplicates(units);
  const whole = units.filter((u) => !u.partial);
  for (const u of units) out.push(...afterRefs(u, byName), ...attachRefs(u, byName, networks));
  for (const u of whole) out.push(...volumeRefs(u, volumes));
  out.push(...cycles(units, byName), ...portConflicts(whole));
  return out;
}
