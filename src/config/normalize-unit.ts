/**
 * `normalizeUnit`: a schema-valid UnitFile → the UnitSpec the rest of berth
 * uses. Fills defaults from UNIT_DEFAULTS, turns durations into ms and sizes
 * into bytes, makes paths absolute (relative to the unit file's folder),
 * string commands into `/bin/sh -c` argv, and ports/volumes into specs.
 * Pure (path arithmetic only, no disk).
 */
import { dirname, resolve } from 'node:path';
import { parseDuration } from './parse-duration.js';
import { parsePort } from './parse-port.js';
import { parseSize } from './parse-size.js';
import type { AfterCondition, Isolation, OnChange, RestartPolicy, UnitFile, UnitKind, VolumeMount } from './unit-schema.js';
import { UNIT_DEFAULTS, type HealthSpec, type PortSpec, type SecretRef, type UnitSpec, type VolumeSpec } from './unit-spec.js';

/** Options for normalizeUnit. */
export interface NormalizeOptions {
  /** Folder that secret `file:` names are relative to; without it they stay as written. */
  secretsDir?: string;
}

const D = UNIT_DEFAULTS;

/** A command as argv: a string becomes `['/bin/sh', '-c', cmd]`. */
export function toArgv(command: string | string[]): string[] {
  return typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
}

const ms = (d: string | undefined, fallback: number): number => (d === undefined ? fallback : parseDuration(d));
const strings = (r: Record<string, string | number | boolean> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
const signal = (s: string): string => (s.startsWith('SIG') ? s : `SIG${s}`);

function volumeSpec(v: VolumeMount, dir: string): VolumeSpec {
  const readonly = v.readonly ?? false;
  if (v.name !== undefined) return { type: 'named', name: v.name, path: v.path, readonly };
  if (v.host !== undefined) return { type: 'bind', host: resolve(dir, v.host), path: v.path, readonly };
  const size = typeof v.tmpfs === 'boolean' || v.tmpfs === undefined ? undefined : parseSize(v.tmpfs);
  return size === undefined ? { type: 'tmpfs', path: v.path, readonly } : { type: 'tmpfs', sizeBytes: size, path: v.path, readonly };
}

function healthSpec(h: NonNullable<UnitFile['health']>): HealthSpec {
  let check: HealthSpec['check'];
  if (h.exec !== undefined) check = { type: 'exec', command: toArgv(h.exec) };
  else if (h.http !== undefined) check = { type: 'http', url: h.http };
  else {
    const tcp = h.tcp ?? '127.0.0.1:0';
    const i = tcp.lastIndexOf(':');
    check = { type: 'tcp', host: tcp.slice(0, i), port: Number(tcp.slice(i + 1)) };
  }
  return {
    check,
    everyMs: ms(h.every, D.healthEveryMs),
    timeoutMs: ms(h.timeout, D.healthTimeoutMs),
    retries: h.retries ?? D.healthRetries,
    startPeriodMs: ms(h.start_period, D.healthStartPeriodMs),
    onUnhealthy: (h.on_unhealthy ?? 'restart') as HealthSpec['onUnhealthy'],
  };
}

function secretRefs(secrets: UnitFile['secrets'], secretsDir: string | undefined): Record<string, SecretRef> {
  const out: Record<string, SecretRef> = {};
  for (const [k, s] of Object.entries(secrets ?? {})) {
    if (s.file !== undefined) out[k] = { from: 'file', path: secretsDir ? resolve(secretsDir, s.file) : s.file };
    else out[k] = { from: 'env', variable: s.env ?? k };
  }
  return out;
}

/** Normalises a schema-valid unit read from `path` (the unit file). */
export function normalizeUnit(unit: UnitFile, path: string, options: NormalizeOptions = {}): UnitSpec {
  const file = resolve(path);
  const dir = dirname(file);
  // the schema's literal unions are typed as string by TypeBox; the validator has checked them
  const kind = unit.kind as UnitKind;
  const isolation = (unit.isolation ?? (kind === 'vm' ? 'vm' : 'container')) as Isolation;
  // host processes and systemd units share the host's network: nothing to attach
  const attached = (kind === 'service' || kind === 'job' || kind === 'vm') && isolation !== 'process' && isolation !== 'systemd';
  const r = unit.restart;
  const spec: UnitSpec = {
    name: unit.name,
    kind,
    isolation,
    file,
    dir,
    templates: (unit.templates ?? []).map((t) => ({
      src: resolve(dir, t.src),
      dest: t.dest,
      onChange: (t.on_change ?? 'restart') as OnChange,
      mode: t.mode === undefined ? D.templateMode : parseInt(t.mode, 8),
    })),
    vars: { ...(unit.vars ?? {}) },
    secrets: secretRefs(unit.secrets, options.secretsDir),
    run: {
      env: strings(unit.run?.env),
      envFiles: [unit.run?.env_file ?? []].flat().map((f) => resolve(dir, f)),
      readonlyRootfs: unit.run?.readonly_rootfs ?? false,
      userns: unit.run?.userns ?? false,
      init: unit.run?.init ?? false,
      capAdd: [...(unit.run?.cap_add ?? [])],
      capDrop: [...(unit.run?.cap_drop ?? [])],
    },
    resources: {},
    network: {
      attach: [...(unit.network?.attach ?? (attached ? ['default'] : []))],
      ports: (unit.network?.ports ?? []).map(parsePort).filter((p): p is PortSpec => !('error' in p)),
      hostname: unit.network?.hostname ?? unit.name,
    },
    volumes: (unit.volumes ?? []).map((v) => volumeSpec(v, dir)),
    restart: {
      policy: (r?.policy ?? D.restartPolicy[kind] ?? 'no') as RestartPolicy,
      delayMs: ms(r?.delay, D.restartDelayMs),
      maxDelayMs: ms(r?.max_delay, D.restartMaxDelayMs),
      factor: r?.factor ?? D.restartFactor,
      jitter: r?.jitter ?? D.restartJitter,
      resetAfterMs: ms(r?.reset_after, D.restartResetAfterMs),
      burst: r?.burst ?? D.restartBurst,
      withinMs: ms(r?.within, D.restartWithinMs),
      cooldownMs: ms(r?.cooldown, D.restartCooldownMs),
    },
    after: Object.entries(unit.after ?? {}).map(([name, condition]) => ({ unit: name, condition: condition as AfterCondition })),
    stop: { signal: signal(unit.stop?.signal ?? D.stopSignal), timeoutMs: ms(unit.stop?.timeout, D.stopTimeoutMs) },
    reload: { signal: signal(unit.reload?.signal ?? D.reloadSignal) },
    labels: { ...(unit.labels ?? {}) },
  };
  if (unit.description !== undefined) spec.description = unit.description;
  if (unit.image) {
    const build = unit.image.build === undefined ? undefined : resolve(dir, unit.image.build);
    spec.image = { from: unit.image.from, args: strings(unit.image.args) };
    if (build) {
      spec.image.build = build;
      spec.image.context = unit.image.context === undefined ? dirname(build) : resolve(dir, unit.image.context);
    }
  }
  if (unit.run?.command !== undefined) spec.run.command = toArgv(unit.run.command);
  if (unit.run?.entrypoint !== undefined) spec.run.entrypoint = toArgv(unit.run.entrypoint);
  if (unit.run?.user !== undefined) spec.run.user = unit.run.user;
  if (unit.run?.workdir !== undefined) spec.run.workdir = unit.run.workdir;
  const res = unit.resources;
  if (res?.memory !== undefined) spec.resources.memoryBytes = parseSize(res.memory);
  if (res?.cpus !== undefined) spec.resources.cpus = res.cpus;
  if (res?.pids !== undefined) spec.resources.pids = res.pids;
  if (unit.health) spec.health = healthSpec(unit.health);
  if (unit.reload?.command !== undefined) spec.reload.command = toArgv(unit.reload.command);
  if (unit.schedule) {
    const s = unit.schedule;
    const concurrency = (s.concurrency ?? 'skip') as 'skip' | 'queue' | 'allow';
    spec.schedule = { cron: s.cron, concurrency, keep: s.keep ?? D.scheduleKeep };
    if (s.timezone !== undefined) spec.schedule = { ...spec.schedule, timezone: s.timezone };
  }
  if (kind === 'vm' || unit.vm || spec.isolation === 'vm') {
    const v = unit.vm ?? {};
    spec.vm = {
      cpus: v.cpus ?? D.vmCpus,
      memoryBytes: v.memory === undefined ? D.vmMemoryBytes : parseSize(v.memory),
      disksBytes: (v.disks ?? []).map(parseSize),
      cloudInit: v.cloud_init ?? false,
    };
    if (v.disk !== undefined) spec.vm.disk = resolve(dir, v.disk);
    if (v.kernel !== undefined) spec.vm.kernel = resolve(dir, v.kernel);
  }
  if (unit.subnet !== undefined) spec.subnet = unit.subnet;
  return spec;
}
