/**
 * Pure: a unit spec plus its image's config → the InstanceSpec a driver runs.
 * Docker's rules for combining them: the unit's entrypoint replaces the
 * image's (and then drops the image's Cmd), the unit's command replaces Cmd;
 * env is image Env, then env files, then the unit's env; user and workdir
 * fall back to the image's.
 */
import type { UnitSpec } from '../config/unit-spec.js';
import type { InstanceSpec, MountSpec } from '../runtime/driver.js';

/** The parts of an OCI image config that matter for running it. */
export interface ImageRunConfig {
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  WorkingDir?: string;
}

/** argv from unit and image, Docker's way. */
export function combineArgv(spec: UnitSpec, image: ImageRunConfig = {}): string[] {
  const entrypoint = spec.run.entrypoint ?? image.Entrypoint ?? [];
  const command = spec.run.command ?? (spec.run.entrypoint ? [] : image.Cmd ?? []);
  return [...entrypoint, ...command];
}

/** Parses KEY=VALUE lines (env files): `#` comments and blank lines skipped, `export ` allowed. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[line.slice(0, eq)] = value;
  }
  return out;
}

/** Env from image, env files (already read) and unit, later ones winning. */
export function combineEnv(spec: UnitSpec, image: ImageRunConfig = {}, envFiles: Record<string, string>[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of image.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  for (const f of envFiles) Object.assign(env, f);
  Object.assign(env, spec.run.env);
  return env;
}

/** Mounts of a unit: named volumes under `volumesDir`, host binds, tmpfs. */
export function unitMounts(spec: UnitSpec, volumesDir: string): MountSpec[] {
  return spec.volumes.map((v): MountSpec => {
    if (v.type === 'named') return { type: 'bind', source: `${volumesDir}/${v.name}/_data`, target: v.path, readonly: v.readonly };
    if (v.type === 'bind') return { type: 'bind', source: v.host, target: v.path, readonly: v.readonly };
    return { type: 'tmpfs', target: v.path, readonly: v.readonly, ...(v.sizeBytes ? { sizeBytes: v.sizeBytes } : {}) };
  });
}

/** The whole InstanceSpec (layers and extra mounts come from the caller). */
export function buildInstanceSpec(
  spec: UnitSpec,
  id: string,
  parts: { image?: ImageRunConfig; layers?: string[]; envFiles?: Record<string, string>[]; volumesDir: string; extraMounts?: MountSpec[] },
): InstanceSpec {
  const image = parts.image ?? {};
  const user = spec.run.user ?? (image.User || undefined);
  const workdir = spec.run.workdir ?? (image.WorkingDir || undefined);
  return {
    id,
    unit: spec.name,
    ...(parts.layers ? { layers: parts.layers } : {}),
    argv: combineArgv(spec, image),
    env: combineEnv(spec, image, parts.envFiles),
    ...(user ? { user } : {}),
    ...(workdir ? { workdir } : {}),
    hostname: spec.network.hostname,
    resources: { ...spec.resources },
    mounts: [...unitMounts(spec, parts.volumesDir), ...(parts.extraMounts ?? [])],
    network: { attach: spec.network.attach, ports: spec.network.ports },
    readonlyRootfs: spec.run.readonlyRootfs,
    userns: spec.run.userns,
    ...(spec.run.init ? { init: true } : {}),
    capAdd: spec.run.capAdd,
    capDrop: spec.run.capDrop,
    labels: { ...spec.labels, 'berth.unit': spec.name },
  };
}
