/**
 * The build loop: walks the plan's needed stages in order, and for each step
 * takes the layer from the cache (by key) or makes it with the executor,
 * emitting typed progress events (step n/N, instruction, cached or not,
 * time). A failing RUN, an executor error or a cancel stops the build and
 * comes back as a value with the step and the command's output.
 */
import { BerthError } from '../../errors.js';
import type { BuildPlan, BuildStep, HistoryEntry, ImageRunConfig, StageBase } from './build-plan.js';
import type { BuildCache, StepExecutor, StepOf } from './step-executor.js';

/** Progress of a build, for the CLI, API and dashboard to render. */
export type BuildEvent =
  | { type: 'stage-start'; stage: number; name?: string; base: StageBase }
  | { type: 'step-start'; n: number; total: number; stage: number; text: string; key: string }
  | { type: 'step-output'; n: number; chunk: string }
  | { type: 'step-done'; n: number; total: number; text: string; cached: boolean; layer: boolean; ms: number }
  | { type: 'step-failed'; n: number; total: number; text: string; ms: number; error: BerthError }
  | { type: 'build-done'; ms: number; cached: number; built: number };

/** A finished stage: all its layers (base first), config and this build's history. */
export interface StageResult<L> {
  stage: number;
  name?: string;
  layers: L[];
  config: ImageRunConfig;
  /** History entries of this Dockerfile (incl. those of a base stage); base image history is not included. */
  history: HistoryEntry[];
  author?: string;
  /** The last step's key (identifies the content). */
  key: string;
}

/** The build's outcome: the target stage's result, or the error and where. */
export type BuildResult<L> =
  | { ok: true; image: StageResult<L>; stages: StageResult<L>[]; cached: number; built: number }
  | { ok: false; error: BerthError; step?: BuildStep; output?: string };

/** Knobs of `runBuild`. */
export interface RunBuildOptions {
  /** `--no-cache`: make every layer again (results are still stored). */
  noCache?: boolean;
  /** Clock in ms (injected for tests). */
  now?: () => number;
  signal?: AbortSignal;
}

/** Runs a keyed plan (see `assignCacheKeys`). */
export async function runBuild<L>(
  plan: BuildPlan,
  executor: StepExecutor<L>,
  cache: BuildCache<L>,
  onProgress: (event: BuildEvent) => void = () => {},
  options: RunBuildOptions = {},
): Promise<BuildResult<L>> {
  const now = options.now ?? Date.now;
  const started = now();
  const total = plan.order.reduce((n, i) => n + plan.stages[i]!.steps.length, 0);
  if (plan.order.some((i) => plan.stages[i]!.steps.some((s) => s.key === ''))) {
    return { ok: false, error: new BerthError('E_BUILD_PLAN', 'the build plan has no cache keys', { hint: 'pass the plan through assignCacheKeys (loadBuildPlan does) before runBuild' }) };
  }
  const results = new Map<number, StageResult<L>>();
  let n = 0;
  let cachedCount = 0;
  let builtCount = 0;
  for (const index of plan.order) {
    const stage = plan.stages[index]!;
    onProgress({ type: 'stage-start', stage: index, ...(stage.name ? { name: stage.name } : {}), base: stage.base });
    let layers: L[] = [];
    let history: HistoryEntry[] = [];
    try {
      if (stage.base.type === 'image') layers = await executor.imageLayers(stage.base.ref, stage.base.digest);
      else if (stage.base.type === 'stage') {
        const from = results.get(stage.base.stage)!;
        layers = [...from.layers];
        history = [...from.history];
      }
    } catch (err) {
      return { ok: false, error: asBerthError(err, `loading base image of stage ${index} failed`) };
    }
    let chainCached = true;
    for (const step of stage.steps) {
      n++;
      if (options.signal?.aborted) return { ok: false, error: new BerthError('E_BUILD_CANCELLED', 'the build was cancelled'), step };
      onProgress({ type: 'step-start', n, total, stage: index, text: step.text, key: step.key });
      const t0 = now();
      const outcome = await doStep(step, layers, results, executor, cache, options, (chunk) => onProgress({ type: 'step-output', n, chunk }));
      const ms = now() - t0;
      if (!outcome.ok) {
        onProgress({ type: 'step-failed', n, total, text: step.text, ms, error: outcome.error });
        return { ok: false, error: outcome.error, step, ...(outcome.output === undefined ? {} : { output: outcome.output }) };
      }
      const cached = outcome.layer === undefined ? chainCached : outcome.cached;
      if (!cached) chainCached = false;
      if (cached) cachedCount++;
      else builtCount++;
      if (outcome.layer !== undefined) layers = [...layers, outcome.layer];
      history = [...history, step.history];
      onProgress({ type: 'step-done', n, total, text: step.text, cached, layer: outcome.layer !== undefined, ms });
    }
    results.set(index, {
      stage: index, ...(stage.name ? { name: stage.name } : {}), layers, config: stage.config, history,
      ...(stage.author ? { author: stage.author } : {}), key: stage.steps[stage.steps.length - 1]?.key ?? stage.baseKey,
    });
  }
  onProgress({ type: 'build-done', ms: now() - started, cached: cachedCount, built: builtCount });
  return { ok: true, image: results.get(plan.target)!, stages: [...results.values()], cached: cachedCount, built: builtCount };
}

type StepOutcome<L> = { ok: true; layer?: L; cached: boolean } | { ok: false; error: BerthError; output?: string };

async function doStep<L>(
  step: BuildStep,
  layers: readonly L[],
  results: ReadonlyMap<number, StageResult<L>>,
  executor: StepExecutor<L>,
  cache: BuildCache<L>,
  options: RunBuildOptions,
  onOutput: (chunk: string) => void,
): Promise<StepOutcome<L>> {
  const action = step.action;
  if (action.type === 'config') return { ok: true, cached: true };
  try {
    if (!options.noCache) {
      const hit = await cache.get(step.key);
      if (hit !== undefined) return { ok: true, layer: hit, cached: true };
    }
    let layer: L;
    if (action.type === 'run') {
      let output = '';
      const res = await executor.run(step as StepOf<typeof action>, layers, (chunk) => {
        output += chunk;
        onOutput(chunk);
      });
      if (!res.ok) {
        const how = res.exitCode !== null ? `exit code ${res.exitCode}` : `signal ${res.signal ?? '?'}`;
        const tail = res.output.trimEnd().split('\n').slice(-20).join('\n');
        return {
          ok: false,
          output: res.output || output,
          error: new BerthError('E_BUILD_RUN', `${step.text.slice(0, 200)} (line ${step.pos.line}) failed with ${how}${tail ? `:\n${tail}` : ''}`, {
            hint: 'fix the command (run it in a container of the previous step to try it) and build again',
          }),
        };
      }
      layer = res.layer;
    } else if (action.type === 'copy') {
      const src = action.source;
      const from =
        src.type === 'stage' ? results.get(src.stage)!.layers : src.type === 'image' ? await executor.imageLayers(src.ref, src.digest) : undefined;
      layer = await executor.copy(step as StepOf<typeof action>, layers, from);
    } else {
      layer = await executor.mkdir(step as StepOf<typeof action>, layers);
    }
    await cache.put(step.key, layer);
    return { ok: true, layer, cached: false };
  } catch (err) {
    return { ok: false, error: asBerthError(err, `${step.text.slice(0, 200)} (line ${step.pos.line}) failed`) };
  }
}

function asBerthError(err: unknown, what: string): BerthError {
  if (err instanceof BerthError) return err;
  return new BerthError('E_BUILD_STEP', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
