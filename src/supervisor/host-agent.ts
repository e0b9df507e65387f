/**
 * The composition root of a real agent: the image store, the CNI networker,
 * the container and process drivers, the ledger and the Agent, wired
 * together with the functions the Agent needs (load+render a folder, check
 * images, write rendered files, build an InstanceSpec).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { loadDesired } from '../config/plan-desired.js';
import { collectHostFacts } from '../config/host-facts.js';
import { defaultSecretsDir } from '../config/secrets.js';
import type { UnitSpec } from '../config/unit-spec.js';
import { BerthError } from '../errors.js';
import { resolveImage } from '../image/base-images.js';
import { ImageStore } from '../image/image-store.js';
import { ContainerDriver } from '../runtime/container/driver.js';
import type { Availability, Driver, InstanceSpec } from '../runtime/driver.js';
import { CniNetworker } from '../runtime/network/cni-networker.js';
import { ProcessDriver } from '../runtime/process/driver.js';
import { SystemdDriver } from '../runtime/systemd/driver.js';
import { VmDriver } from '../runtime/vm/driver.js';
import { VERSION } from '../version.js';
import { Agent, type DesiredSet } from './agent.js';
import { systemClock } from './clock.js';
import { CONFIG_MOUNT, renderedDir, templateLinkLayer, writeRenderedFiles } from './instance-files.js';
import { buildInstanceSpec, parseEnvFile } from './instance-spec.js';
import { createImageService, type ImageService } from './image-service.js';
import { Ledger } from './ledger.js';
import { createUnitHealth } from './unit-health.js';
import { parseLogText } from './unit-logs.js';
import { destroyPendingContainers, destroyPendingProcesses } from './pending-destroy.js';

export interface HostAgentOptions {
  root: string;
  secretsDir?: string;
  maxConcurrentStarts?: number;
}

/** A running agent's parts, for the API and the `agent` command. */
export interface HostAgent {
  agent: Agent;
  images: ImageStore;
  /** builds and commits (RUN steps and commits need the container driver) */
  imageService: ImageService;
  isolations(): Promise<Record<string, Availability>>;
  cgroupMode(): string;
  close(stopUnits: boolean): Promise<void>;
}

const NOT_YET: Record<string, string> = {
};

/** The InstanceSpec's vm part of a vm unit. */
function vmOf(spec: UnitSpec): NonNullable<InstanceSpec['vm']> {
  const vm = spec.vm;
  return { cpus: vm?.cpus ?? 1, memoryBytes: vm?.memoryBytes ?? 256 * 1024 * 1024, ...(vm?.kernel ? { kernel: vm.kernel } : {}), disksBytes: vm?.disksBytes ?? [], cloudInit: vm?.cloudInit ?? false };
}

/** Describes the cgroup set-up of this host in a few words. */
function detectCgroupMode(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'v2 (unified)';
  if (existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) return 'v1 + cgroup2 (hybrid)';
  return 'v1';
}

/** Opens everything under `root` and returns an agent that has not recovered or applied yet. */
export async function openHostAgent(opts: HostAgentOptions): Promise<HostAgent> {
  const root = opts.root;
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const images = await ImageStore.open(root);
  const networker = new CniNetworker({ root });
  const vm = new VmDriver({ root: join(root, 'vm'), networker });
  const drivers: Record<string, Driver> = {
    container: destroyPendingContainers(new ContainerDriver({ root, networker }), root, networker),
    process: destroyPendingProcesses(new ProcessDriver({ root: join(root, 'process') }), join(root, 'process')),
    vm,
  };
  // an image prune also drops the micro-VM initramfs built from images that are gone
  const imageService = createImageService(root, images, drivers.container!, {
    afterPrune: () => {
      try {
        vm.pruneInitrdCache();
      } catch { /* pruned again after the next initramfs build */ }
    },
  });

  // the system bus unless BERTH_SYSTEMD_BUS names another (tests run their own manager); connects on first use
  const systemd = new SystemdDriver({ root: join(root, 'systemd'), ...(process.env.BERTH_SYSTEMD_BUS ? { busAddress: process.env.BERTH_SYSTEMD_BUS } : {}) });
  drivers.systemd = systemd;
  const availability = new Map<string, Promise<Availability>>();
  const available = (kind: string) => {
    if (!availability.has(kind)) availability.set(kind, drivers[kind]!.available().catch((e: unknown) => ({ ok: false, detail: String(e) })));
    return availability.get(kind)!;
  };
  // group commit: an event is on disk before any subscriber (API stream) hears of it, without an fsync per event on the hot path
  const ledger = Ledger.open({ dir: join(root, 'ledger'), durability: 'batch' });
  const secretsDir = opts.secretsDir ?? defaultSecretsDir(root);
  const volumesDir = join(root, 'volumes');

  const loadSet = async (dir: string): Promise<DesiredSet> => {
    const r = await loadDesired(dir, { secretsDir, facts: collectHostFacts() });
    const errors: DesiredSet['errors'] = [...r.errors];
    // a unit's build key (Dockerfile + context contents) is part of its spec: a change restarts it
    for (const unit of r.desired) {
      if (!unit.spec.image?.build || unit.spec.isolation !== 'container') continue;
      const { key, errors: buildErrors } = await imageService.unitBuildKey(unit.spec);
      if (key) unit.spec.image.buildKey = key;
      errors.push(...buildErrors);
    }
    return { units: r.desired, errors, secrets: r.secretValues };
  };

  const prepare = async (spec: UnitSpec, id: string): Promise<InstanceSpec> => {
    const envFiles = spec.run.envFiles.map((f) => parseEnvFile(readFileSync(f, 'utf8')));
    for (const v of spec.volumes) if (v.type === 'named') mkdirSync(join(volumesDir, v.name, '_data'), { recursive: true });
    if (spec.isolation === 'process' || spec.isolation === 'systemd') {
      const inst = buildInstanceSpec(spec, id, { envFiles, volumesDir });
      if (spec.templates.length) inst.env.BERTH_CONFIG_DIR = renderedDir(root, spec.name);
      return inst;
    }
    if (spec.isolation === 'vm' && spec.vm?.disk) {
      const inst = buildInstanceSpec(spec, id, { envFiles, volumesDir });
      // the guest gets its rendered files through the cloud-init seed (write_files at each mount's target + path):
      // mounted at / so each file lands at its template's dest, as cloud-init users expect
      if (spec.templates.length) inst.mounts.push({ type: 'bind', source: renderedDir(root, spec.name), target: '/', readonly: true });
      return { ...inst, disk: spec.vm.disk, vm: vmOf(spec) };
    }
    if (!spec.image) throw new BerthError('E_NO_IMAGE', `${spec.name} has no image`, { hint: 'add image: { from: busybox }' });
    const image = await resolveImage(images, imageService.unitImageRef(spec));
    const layers = await images.layerDirs(image);
    const links = templateLinkLayer(root, spec.name, spec.templates.map((t) => t.dest));
    const extraMounts = spec.templates.length ? [{ type: 'bind' as const, source: renderedDir(root, spec.name), target: CONFIG_MOUNT, readonly: true }] : [];
    const inst = buildInstanceSpec(spec, id, {
      image: image.config.config ?? {},
      layers: links ? [links, ...layers] : layers,
      envFiles,
      volumesDir,
      extraMounts,
    });
    return spec.isolation === 'vm' ? { ...inst, vm: vmOf(spec) } : inst;
  };

  const agent = new Agent({
    root,
    ledger,
    clock: systemClock,
    random: Math.random,
    driverFor: (spec) => NOT_YET[spec.isolation] ? { unavailable: NOT_YET[spec.isolation]! } : drivers[spec.isolation] ?? { unavailable: `unknown isolation ${spec.isolation}` },
    loadDesired: loadSet,
    preflight: async (unit) => {
      const spec = unit.spec;
      if (spec.kind === 'network' || spec.kind === 'volume') return undefined;
      const a = await available(spec.isolation);
      if (!a.ok) return new BerthError('E_ISOLATION_UNAVAILABLE', `${spec.name}: isolation ${spec.isolation} does not work here: ${a.detail}`, a.hint ? { hint: a.hint } : {});
      if (spec.isolation === 'vm' && spec.vm?.disk && spec.health?.check.type === 'exec') return new BerthError('E_VM_HEALTH_EXEC', `${spec.name}: an exec health check cannot run inside a disk-image VM (its own init, no berth agent in the guest)`, { hint: 'use health.check tcp or http on a published port' });
      if (spec.isolation !== 'container' && !(spec.isolation === 'vm' && !spec.vm?.disk)) return undefined;
      if (spec.image?.build) {
        try {
          await imageService.buildUnit(spec);
          return undefined;
        } catch (err) {
          return err instanceof BerthError ? err : new BerthError('E_BUILD', `${spec.name}: ${String(err)}`);
        }
      }
      if (!spec.image) return undefined;
      try {
        await resolveImage(images, spec.image.from);
        return undefined;
      } catch (err) {
        return err instanceof BerthError ? new BerthError(err.code, `${spec.name}: ${err.message}`, err.hint ? { hint: err.hint } : {}) : new BerthError('E_IMAGE', `${spec.name}: ${String(err)}`);
      }
    },
    ensureObject: async (spec) => {
      if (spec.kind === 'network') await networker.ensureNetwork({ name: spec.name, ...(spec.subnet ? { subnet: spec.subnet } : {}) });
      else mkdirSync(join(volumesDir, spec.name, '_data'), { recursive: true });
    },
    // a removed volume unit keeps its data (like `docker volume`): delete <root>/volumes/NAME by hand
    removeObject: async (spec) => {
      if (spec.kind === 'network') await networker.removeNetwork(spec.name);
    },
    installFiles: async (unit) => writeRenderedFiles(root, unit.spec.name, unit.files),
    prepare,
    logTail: async (handle, n) => {
      if (!handle.logPath || !existsSync(handle.logPath)) return [];
      return parseLogText(readFileSync(handle.logPath, 'utf8')).slice(-n).map((l) => l.text);
    },
    healthFor: (sup) => createUnitHealth(sup, sup.driver, systemClock, (e) => ledger.append(e)),
    maxConcurrentStarts: opts.maxConcurrentStarts ?? 4,
  });

  return {
    agent,
    images,
    imageService,
    async isolations() {
      const out: Record<string, Availability> = {};
      for (const kind of Object.keys(drivers)) out[kind] = await available(kind);
      for (const [kind, why] of Object.entries(NOT_YET)) out[kind] = { ok: false, detail: why };
      return out;
    },
    cgroupMode: detectCgroupMode,
    async close(stopUnits) {
      await agent.close(stopUnits);
      systemd.close();
      ledger.close();
    },
  };
}

/** Host facts for /v1/info that do not depend on the agent. */
export function hostSummary(): { hostname: string; kernel: string; version: string } {
  return { hostname: hostname(), kernel: release(), version: VERSION };
}
