/**
 * The agent's image work that needs the container runtime: Dockerfile
 * builds (RUN steps in throw-away containers), unit builds
 * (`image.build` → `berth.local/<unit>:latest`) and `berth commit` (a
 * running container's upper dir → a new layer on its image, with the
 * unit's rendered templates baked in as real files).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { UnitSpec } from '../config/unit-spec.js';
import { BerthError } from '../errors.js';
import { resolveImage } from '../image/base-images.js';
import { buildImage, buildKeyOf, planImageBuild, type BuildImageOptions, type BuildImageResult } from '../image/build-exec/build-image.js';
import { applyChanges } from '../image/commit-changes.js';
import type { ImageStore, PruneResult } from '../image/image-store.js';
import type { Image } from '../image/image-views.js';
import { diffDirToLayer } from '../image/layer-pack.js';
import { containerPaths, handleData } from '../runtime/container/handle.js';
import type { Driver, Handle } from '../runtime/driver.js';
import { CONFIG_MOUNT, renderedDir } from './instance-files.js';
import { ContainerBuildRunner, scrubMountPoints } from './container-build-runner.js';

const execFileP = promisify(execFile);

/** What `commit` takes besides the unit. */
export interface CommitOptions {
  ref?: string;
  author?: string;
  message?: string;
  /** Docker `--change` lines: `CMD ["sh"]`, `ENV K=V`… */
  changes?: string[];
  /** Pause the container while its files are read (default true, like docker). */
  pause?: boolean;
}

/** A unit's running container, for commit (its rendered templates are read from the unit's rendered dir). */
export interface CommitSource {
  spec: UnitSpec;
  handle: Handle;
}

/** Build and commit for the agent and the API. */
export interface ImageService {
  store: ImageStore;
  build(opts: Omit<BuildImageOptions, 'store' | 'runner'>): Promise<BuildImageResult>;
  /** The image a unit runs: its build's tag, or `image.from`. */
  unitImageRef(spec: UnitSpec): string;
  /** Builds a unit's `image.build` (cached builds are instant); errors name the unit. */
  buildUnit(spec: UnitSpec): Promise<Image>;
  /** The build key of a unit's Dockerfile and context (what `plan` compares), or the errors. */
  unitBuildKey(spec: UnitSpec): Promise<{ key?: string; errors: BerthError[] }>;
  commit(source: CommitSource, opts: CommitOptions): Promise<Image>;
  /** Prunes the store, then the caches derived from images (a VM's initramfs per image). */
  prune(options?: { graceMs?: number }): Promise<PruneResult>;
}

/** The tag a unit's own build gets. */
export function unitBuildTag(unit: string): string {
  return `berth.local/${unit}:latest`;
}

/** Makes the image service over a store and the container driver. */
export function createImageService(root: string, store: ImageStore, driver: Driver, hooks: { afterPrune?: () => void } = {}): ImageService {
  const runner = new ContainerBuildRunner(driver, root);
  const unitImageRef = (spec: UnitSpec) => (spec.image?.build ? unitBuildTag(spec.name) : spec.image?.from ?? 'scratch');
  const buildOpts = (spec: UnitSpec) => ({ contextDir: spec.image!.context!, dockerfile: spec.image!.build!, buildArgs: spec.image!.args });
  return {
    store,
    unitImageRef,
    async prune(options = {}) {
      const result = await store.prune(options);
      hooks.afterPrune?.();
      return result;
    },
    build: (opts) => buildImage({ ...opts, store, runner }),
    async buildUnit(spec) {
      const res = await buildImage({ ...buildOpts(spec), store, runner, tags: [unitBuildTag(spec.name)] });
      if (res.ok) return res.image;
      const first = res.errors[0]!;
      throw new BerthError(first.code, `${spec.name}: building ${spec.image!.build}: ${first.message}${res.errors.length > 1 ? ` (and ${res.errors.length - 1} more)` : ''}`, first.hint ? { hint: first.hint } : {});
    },
    async unitBuildKey(spec) {
      const loaded = await planImageBuild(store, buildOpts(spec));
      return loaded.plan ? { key: buildKeyOf(loaded.plan), errors: [] } : { errors: loaded.errors };
    },
    async commit(source, opts) {
      const { spec, handle } = source;
      if (handle.driver !== 'container') throw new BerthError('E_COMMIT_UNSUPPORTED', `${spec.name} runs as ${handle.driver}: only containers can be committed`);
      const image = await resolveImage(store, unitImageRef(spec));
      const lowers = await store.layerDirs(image);
      const upper = containerPaths(handleData(handle).root, handle.id).upper;
      const tmp = store.blobs.tempPath('commit');
      const pause = opts.pause !== false;
      if (pause) await driver.pause(handle).catch(() => undefined);
      try {
        await mkdir(dirname(tmp), { recursive: true });
        // a copy: the running container's upper dir must not change under it
        await execFileP('cp', ['-a', upper, tmp]);
      } finally {
        if (pause) await driver.unpause(handle).catch(() => undefined);
      }
      try {
        const mountPoints = [CONFIG_MOUNT, '/run/berth', ...spec.volumes.map((v) => v.path)];
        await scrubMountPoints(tmp, lowers, mountPoints);
        // the real rendered files, where the running container only has symlinks to /run/berth/config
        for (const t of spec.templates) {
          const path = join(tmp, t.dest);
          await mkdir(dirname(path), { recursive: true });
          await rm(path, { force: true });
          await copyFile(join(renderedDir(root, spec.name), t.dest), path);
        }
        const layer = await store.addLayer(diffDirToLayer(tmp));
        const run = spec.run;
        let config = { ...(image.config.config ?? {}) };
        if (run.entrypoint) config = { ...config, Entrypoint: run.entrypoint, Cmd: run.command ?? [] };
        else if (run.command) config.Cmd = run.command;
        if (Object.keys(run.env).length) config.Env = [...(config.Env ?? []).filter((kv) => !(kv.split('=')[0]! in run.env)), ...Object.entries(run.env).map(([k, v]) => `${k}=${v}`)];
        if (run.workdir) config.WorkingDir = run.workdir;
        if (run.user) config.User = run.user;
        config = applyChanges(config, opts.changes ?? []);
        const now = new Date().toISOString();
        const baseHistory = image.config.history?.length ? image.config.history : image.manifest.layers.map(() => ({ created_by: '' }));
        return await store.writeImage({
          ref: opts.ref,
          layers: [...store.layersOf(image), layer],
          config: {
            created: now,
            ...(opts.author ? { author: opts.author } : {}),
            config,
            history: [...baseHistory, { created: now, created_by: `berth commit ${spec.name}`, ...(opts.author ? { author: opts.author } : {}), ...(opts.message ? { comment: opts.message } : {}) }],
          },
        });
      } finally {
        await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

/** An image service for a CLI without an agent: the store under `root` and a plain container driver. */
export async function openLocalImageService(root: string): Promise<ImageService> {
  const { ImageStore } = await import('../image/image-store.js');
  const { ContainerDriver } = await import('../runtime/container/driver.js');
  return createImageService(root, await ImageStore.open(root), new ContainerDriver({ root }));
}
