/**
 * `convertCompose`: a docker-compose.yml → berth unit files (one per
 * service, top-level network and volume), plus warnings for every key that
 * could not be mapped. Pure: text in, texts out; the CLI writes them.
 */
import { basename, dirname } from 'node:path';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { convertService } from './import-compose-service.js';

/** What convertCompose returns: unit files (name relative to the output folder), warnings, errors. */
export interface ComposeConversion {
  units: { file: string; text: string }[];
  warnings: string[];
  errors: ConfigError[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
/** Key order of a written unit file, as people read it. */
const ORDER = ['name', 'kind', 'description', 'image', 'run', 'resources', 'network', 'volumes', 'restart', 'health', 'after', 'stop', 'subnet', 'labels'];

/** A compose name as a berth unit name (lower case, [a-z0-9_.-]). */
export function unitNameOf(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return s.slice(0, 63) || 'unit';
}

/** Converts compose text; `file` names it in messages; paths are rebased onto `outDir` (default ./units). */
export function convertCompose(text: string, file: string, options: { outDir?: string } = {}): ComposeConversion {
  const warnings: string[] = [];
  const errors: ConfigError[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  for (const e of doc.errors) {
    const { line, col } = lc.linePos(e.pos[0]);
    errors.push(new ConfigError('E_COMPOSE_YAML', e.message.split('\n')[0]!, { file, line, column: col }, { hint: 'fix the YAML syntax of the compose file' }));
  }
  if (errors.length) return { units: [], warnings, errors };
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isObj(data) || !isObj(data.services)) {
    errors.push(new ConfigError('E_COMPOSE', 'no `services:` map in this file', { file, line: 1, column: 1 }, { hint: 'is this a docker-compose.yml?' }));
    return { units: [], warnings, errors };
  }
  if (/\$\{?[A-Za-z_]/.test(text)) warnings.push('${VAR} interpolation is not performed: values are copied as written');
  for (const k of Object.keys(data)) {
    if (!['services', 'networks', 'volumes', 'version', 'name'].includes(k) && !k.startsWith('x-')) warnings.push(`${k}: not supported, dropped`);
  }

  // one name space for all units: a network or volume that clashes with a service gets a suffix
  const taken = new Set(Object.keys(data.services).map(unitNameOf));
  const names = { service: new Map<string, string>(), network: new Map<string, string>(), volume: new Map<string, string>() };
  for (const s of Object.keys(data.services)) names.service.set(s, unitNameOf(s));
  for (const kind of ['network', 'volume'] as const) {
    const top = data[`${kind}s`];
    for (const n of isObj(top) ? Object.keys(top) : []) {
      let u = unitNameOf(n);
      if (taken.has(u)) {
        const renamed = `${u}-${kind}`;
        warnings.push(`${kind}s.${n}: renamed to ${renamed} (a service is called ${u})`);
        u = renamed;
      }
      taken.add(u);
      names[kind].set(n, u);
    }
  }
  const unitName = (kind: 'service' | 'network' | 'volume', n: string) => names[kind].get(n) ?? unitNameOf(n);
  const ctx = { composeDir: dirname(file), outDir: options.outDir ?? 'units', unitName, warn: (m: string) => warnings.push(m) };

  const objects: Obj[] = [];
  for (const [kind, key] of [['network', 'networks'], ['volume', 'volumes']] as const) {
    const top = data[key];
    if (!isObj(top)) continue;
    for (const [n, def] of Object.entries(top)) {
      const unit: Obj = { name: unitName(kind, n), kind };
      const d = isObj(def) ? def : {};
      const ipam = isObj(d.ipam) && Array.isArray(d.ipam.config) ? (d.ipam.config[0] as Obj | undefined) : undefined;
      if (kind === 'network' && ipam && typeof ipam.subnet === 'string' && /^[0-9.]+\/[0-9]{1,2}$/.test(ipam.subnet)) unit.subnet = ipam.subnet;
      const labels = d.labels;
      if (isObj(labels)) unit.labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
      for (const k of Object.keys(d)) if (!['labels', 'ipam', 'driver', 'name'].includes(k) || (k === 'driver' && d.driver !== (kind === 'network' ? 'bridge' : 'local'))) warnings.push(`${key}.${n}.${k}: not supported, dropped`);
      objects.push(unit);
    }
  }
  for (const [n, svc] of Object.entries(data.services)) {
    if (!isObj(svc)) {
      warnings.push(`services.${n}: not a map, skipped`);
      continue;
    }
    if (unitNameOf(n) !== n) warnings.push(`services.${n}: renamed to ${unitNameOf(n)} (unit names are lower case, [a-z0-9_.-])`);
    objects.push(convertService(n, svc, ctx));
  }
  const source = basename(file);
  const units = objects.map((o) => {
    const ordered = Object.fromEntries([...ORDER.filter((k) => k in o).map((k) => [k, o[k]]), ...Object.entries(o).filter(([k]) => !ORDER.includes(k))]);
    const from = o.kind === 'service' ? `services.${[...names.service].find(([, u]) => u === o.name)?.[0] ?? o.name}` : `${o.kind}s`;
    const header = `# Imported from ${source} (${from}) by \`berth import compose\`.\n# Check it, then run \`berth validate\` and \`berth plan\`.\n`;
    return { file: `${String(o.name)}.yaml`, text: header + stringify(ordered, { lineWidth: 0 }) };
  });
  return { units, warnings, errors };
}
