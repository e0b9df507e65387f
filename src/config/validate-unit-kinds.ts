/**
 * Kind rules: which keys each kind of unit allows, what each kind needs
 * (an image, a command), and the "exactly one of" choices (health check,
 * volume source, secret source). Works on the raw document, so it runs even
 * when the schema check failed and reports everything in one go.
 */
import type { ConfigError } from '../errors.js';
import { errorAt, type UnitSource } from './error-at.js';
import { UnitKinds } from './unit-schema.js';

type Obj = Record<string, unknown>;

const COMMON = ['name', 'kind', 'description', 'labels'];
const WORKLOAD = ['isolation', 'image', 'templates', 'vars', 'secrets', 'run', 'network', 'volumes', 'restart', 'after', 'stop', 'vm'];

/** Top-level keys each kind allows (besides name, kind, description, labels). */
export const KIND_KEYS: Record<string, readonly string[]> = {
  service: [...COMMON, ...WORKLOAD, 'resources', 'health', 'reload'],
  job: [...COMMON, ...WORKLOAD, 'resources', 'schedule'],
  vm: [...COMMON, ...WORKLOAD, 'health', 'reload'],
  network: [...COMMON, 'subnet'],
  volume: [...COMMON],
};

const KIND_HINTS: Record<string, string> = {
  resources: 'a vm sets its size with `vm.cpus` and `vm.memory`',
  health: 'a job is done when it exits; use `after: {job: completed}` in the units that wait for it',
  reload: 'a job is not reloaded; it runs again on its schedule',
};

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k) && o[k] !== undefined;

function exactlyOne(src: UnitSource, o: unknown, path: (string | number)[], choices: string[], what: string): ConfigError[] {
  if (!isObj(o)) return [];
  const present = Object.keys(o).filter((k) => choices.includes(k) && has(o, k));
  if (present.length === 1) return [];
  const list = choices.map((c) => `\`${c}\``).join(', ');
  const message =
    present.length === 0 ? `${what} needs one of ${list}` : `${what} has ${present.map((c) => `\`${c}\``).join(' and ')}: use exactly one of ${list}`;
  const at = present.length > 1 ? [...path, present[1]!] : path;
  return [errorAt(src, 'E_ONE_OF', message, at, 'key')];
}

function kindKeys(unit: Obj, kind: string, src: UnitSource): ConfigError[] {
  const allowed = KIND_KEYS[kind]!;
  const known = new Set(Object.values(KIND_KEYS).flat());
  const out: ConfigError[] = [];
  for (const key of Object.keys(unit)) {
    if (allowed.includes(key) || !known.has(key)) continue;
    const kinds = UnitKinds.filter((k) => KIND_KEYS[k]!.includes(key));
    const hint = KIND_HINTS[key] ?? `remove it, or make this a ${kinds.join(' or ')} unit`;
    out.push(errorAt(src, 'E_KIND_KEY', `\`${key}\` is not allowed in a ${kind} unit (only in ${kinds.join(', ')})`, [key], 'key', hint));
  }
  return out;
}

function workloadRules(unit: Obj, kind: string, src: UnitSource): ConfigError[] {
  const out: ConfigError[] = [];
  const isolation = typeof unit.isolation === 'string' ? unit.isolation : kind === 'vm' ? 'vm' : 'container';
  const vm = isObj(unit.vm) ? unit.vm : undefined;
  const run = isObj(unit.run) ? unit.run : undefined;
  if (kind === 'vm' && isolation !== 'vm') {
    out.push(errorAt(src, 'E_KIND_ISOLATION', `a vm unit runs with isolation vm (got \`${isolation}\`)`, ['isolation'], 'value', 'remove `isolation`, or make this a service'));
  }
  if (has(unit, 'vm') && isolation !== 'vm') {
    out.push(errorAt(src, 'E_KIND_KEY', '`vm` settings need `isolation: vm`', ['vm'], 'key', 'add `isolation: vm`, or remove `vm`'));
  }
  if (isolation === 'process' || isolation === 'systemd') {
    if (has(unit, 'image')) out.push(errorAt(src, 'E_KIND_KEY', `\`image\` is not used with isolation ${isolation}: it runs a host command`, ['image'], 'key', 'remove `image`, or use isolation container'));
    for (const key of ['network', 'volumes'] as const) {
      if (has(unit, key)) out.push(errorAt(src, 'E_KIND_KEY', `\`${key}\` is not used with isolation ${isolation}: it runs in the host's ${key === 'network' ? 'network' : 'filesystem'}`, [key], 'key', `remove \`${key}\`, or use isolation container`));
    }
    if (!run || !has(run, 'command')) {
      const message = `missing key \`run.command\`: isolation ${isolation} runs a host command`;
      out.push(errorAt(src, 'E_REQUIRED', message, run ? ['run'] : ['isolation'], 'key', undefined, ['run', 'command']));
    }
  } else if (kind === 'vm') {
    const disk = vm && has(vm, 'disk');
    if (disk && has(unit, 'image')) out.push(errorAt(src, 'E_ONE_OF', 'a vm boots either `image` (as a micro-VM) or `vm.disk`, not both', ['vm', 'disk'], 'key'));
    if (!disk && !has(unit, 'image')) out.push(errorAt(src, 'E_REQUIRED', 'missing key `image`: a vm needs `image` (booted as a micro-VM) or `vm.disk`', ['kind'], 'value'));
  } else if (!has(unit, 'image')) {
    out.push(errorAt(src, 'E_REQUIRED', `missing key \`image\`: a ${kind} with isolation ${isolation} runs an image`, ['kind'], 'value', 'add e.g. `image: {from: busybox}`'));
  }
  if (isObj(unit.image) && has(unit.image, 'context') && !has(unit.image, 'build')) {
    out.push(errorAt(src, 'E_REQUIRED', '`image.context` needs `image.build` (a Dockerfile)', ['image', 'context'], 'key'));
  }
  if (has(unit, 'health')) out.push(...exactlyOne(src, unit.health, ['health'], ['exec', 'http', 'tcp'], '`health`'));
  if (Array.isArray(unit.volumes)) {
    unit.volumes.forEach((v, i) => out.push(...exactlyOne(src, v, ['volumes', i], ['name', 'host', 'tmpfs'], `\`volumes[${i}]\``)));
  }
  if (isObj(unit.secrets)) {
    for (const [k, v] of Object.entries(unit.secrets)) out.push(...exactlyOne(src, v, ['secrets', k], ['file', 'env'], `secret \`${k}\``));
  }
  const net = isObj(unit.network) ? unit.network : undefined;
  if (net && Array.isArray(net.attach) && net.attach.length === 0 && Array.isArray(net.ports) && net.ports.length > 0) {
    out.push(errorAt(src, 'E_PORT', 'ports are published on a network, but `network.attach` is empty', ['network', 'ports'], 'key', 'attach a network, e.g. `attach: [default]`'));
  }
  return out;
}

/** Kind rules for one unit document (raw data, any shape); errors point at the offending keys. */
export function checkUnitKind(unit: Obj, src: UnitSource): ConfigError[] {
  const kind = unit.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(KIND_KEYS, kind)) return [];
  const out = kindKeys(unit, kind, src);
  if (kind === 'service' || kind === 'job' || kind === 'vm') out.push(...workloadRules(unit, kind, src));
  return out;
}
