/**
 * `berth build` as a library call: load and key the Dockerfile's plan, run
 * it with the store executor and the persistent cache, write the target
 * stage as an image (base image history + this build's), name it. An
 * unchanged rebuild reuses the image it made before (same digest). A failed
 * build leaves no image and no container; its layers stay cached.
 */
import { createHash } from 'node:crypto';
import { BerthError, errorCode } from '../../errors.js';
import { resolveImage } from '../base-images.js';
import { loadBuildPlan } from '../build/load-build-context.js';
import type { BuildPlan } from '../build/build-plan.js';
import { runBuild, type BuildEvent } from '../build/run-build.js';
import type { ImageStore } from '../image-store.js';
import type { Image } from '../image-views.js';
import type { HistoryEntry } from '../oci-types.js';
import { BuildLayerCache, type StoredLayer } from './build-layer-cache.js';
import type { BuildRunner } from './build-runner.js';
import { StoreExecutor } from './store-executor.js';

/** Progress of `buildImage`: the build loop's events plus base-image and warning lines. */
export type BuildProgress = BuildEvent | { type: 'base-image'; image: string; message: string } | { type: 'warning'; message: string };

/** What `buildImage` takes. */
export interface BuildImageOptions {
  store: ImageStore;
  runner: BuildRunner;
  contextDir: string;
  /** `-f` (default CONTEXT/Dockerfile). */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Names to give the image; the first is what the result reports. */
  tags?: string[];
  noCache?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: BuildProgress) => void;
}

/** The outcome: the image, or every error (a failing RUN's output rides along). */
export type BuildImageResult =
  | { ok: true; image: Image; cached: number; built: number; containers: string[] }
  | { ok: false; errors: BerthError[]; output?: string; containers: string[] };

/** Loads the plan only (for `berth plan`: the target's last key says whether a rebuild would change anything). */
export async function planImageBuild(store: ImageStore, opts: Pick<BuildImageOptions, 'contextDir' | 'dockerfile' | 'buildArgs' | 'target' | 'onProgress'>): Promise<{ plan?: BuildPlan; errors: BerthError[]; contextDir: string }> {
  return loadBuildPlan(opts.contextDir, {
    ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}),
    ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    resolveImage: async (ref) => {
      try {
        const img = await resolveImage(store, ref, (e) => opts.onProgress?.({ type: 'base-image', ...e }));
        return { digest: img.digest, ...(img.config.config ? { config: img.config.config } : {}) };
      } catch (err) {
        if (errorCode(err) === 'E_IMAGE_NOT_FOUND') return undefined;
        throw err;
      }
    },
  });
}

/** The last key of the target stage: identifies everything the image is made of. */
export function buildKeyOf(plan: BuildPlan): string {
  const stage = plan.stages[plan.target]!;
  return stage.steps[stage.steps.length - 1]?.key ?? stage.baseKey;
}

/** History of the image the target stage starts from (scratch: none), one entry per layer at least. */
async function baseHistory(store: ImageStore, plan: BuildPlan): Promise<HistoryEntry[]> {
  let stage = plan.stages[plan.target]!;
  while (stage.base.type === 'stage') stage = plan.stages[stage.base.stage]!;
  if (stage.base.type !== 'image') return [];
  const image = await store.resolve(stage.base.digest);
  const history = image.config.history ?? [];
  if (history.filter((h) => h.empty_layer !== true).length === image.manifest.layers.length) return history;
  return image.manifest.layers.map(() => ({ created_by: '' }));
}

/** Builds an image from a Dockerfile. Never throws for bad input: errors come back as values. */
export async function buildImage(opts: BuildImageOptions): Promise<BuildImageResult> {
  const { store } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const loaded = await planImageBuild(store, opts);
  if (!loaded.plan) return { ok: false, errors: loaded.errors, containers: [] };
  const plan = loaded.plan;
  for (const w of plan.warnings) progress({ type: 'warning', message: w });
  const cache = new BuildLayerCache(store);
  const executor = new StoreExecutor({ store, runner: opts.runner, contextDir: loaded.contextDir, ...(opts.signal ? { signal: opts.signal } : {}) });
  const res = await runBuild<StoredLayer>(plan, executor, cache, progress, { ...(opts.noCache ? { noCache: true } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (!res.ok) return { ok: false, errors: [res.error], ...(res.output !== undefined ? { output: res.output } : {}), containers: executor.containers };
  try {
    const now = new Date().toISOString();
    const history = [...(await baseHistory(store, plan)), ...res.image.history.map((h) => ({ created: now, ...h }))];
    const config = { config: res.image.config, history, ...(res.image.author ? { author: res.image.author } : {}) };
    const identity = createHash('sha256')
      .update(JSON.stringify({ key: res.image.key, config: res.image.config, layers: res.image.layers.map((l) => l.diffID), history: history.map((h) => [h.created_by, h.empty_layer === true]) }))
      .digest('hex');
    const [first, ...more] = opts.tags ?? [];
    const reuse = opts.noCache || res.built > 0 ? undefined : await cache.getImage(identity);
    const image = reuse
      ? await store.recordImage(reuse, first)
      : await store.writeImage({ config: { created: now, ...config }, layers: res.image.layers, ...(first ? { ref: first } : {}) });
    if (!reuse) {
      const descriptor = (await store.readIndex()).manifests.find((m) => m.digest === image.digest);
      if (descriptor) await cache.putImage(identity, { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size });
    }
    for (const t of more) await store.tag(image.digest, t);
    const final = more.length ? await store.resolve(image.digest) : image;
    return { ok: true, image: final, cached: res.cached, built: res.built, containers: executor.containers };
  } catch (err) {
    const e = err instanceof BerthError ? err : new BerthError('E_BUILD_WRITE', `writing the image failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    return { ok: false, errors: [e], containers: executor.containers };
  }
}
