/**
 * What `runBuild` needs from the outside world, as interfaces: the executor
 * that makes layers (runs RUN in a container, copies files, makes WORKDIR)
 * and the layer cache. The real ones live with the image store and the
 * container runtime; tests use in-memory fakes. `L` is the executor's own
 * layer handle (e.g. a diff ID and digest); the build loop only passes it on.
 */
import type { BuildStep, CopyAction, MkdirAction, RunAction } from './build-plan.js';

/** A step with a known action type. */
export type StepOf<A> = BuildStep & { action: A };

/** How a RUN ended: a new layer, or a failure with the command's output. */
export type RunOutcome<L> =
  | { ok: true; layer: L }
  | { ok: false; exitCode: number | null; signal?: string; output: string };

/** Makes the layers of a build. Every method gets the layers so far, lowest first. */
export interface StepExecutor<L> {
  /** The layers of a stored image (a FROM base or a COPY --from image). */
  imageLayers(ref: string, digest: string): Promise<L[]>;
  /** Runs `step.action.argv` on top of `layers`; streams output through `onOutput`. */
  run(step: StepOf<RunAction>, layers: readonly L[], onOutput: (chunk: string) => void): Promise<RunOutcome<L>>;
  /**
   * Copies into a new layer: from the context (`action.source.files`, relative
   * to the context directory), or from `fromLayers` (another stage or image).
   * ADD extracts the roots listed in `action.extract`.
   */
  copy(step: StepOf<CopyAction>, layers: readonly L[], fromLayers?: readonly L[]): Promise<L>;
  /** Makes the WORKDIR directory (a possibly empty layer). */
  mkdir(step: StepOf<MkdirAction>, layers: readonly L[]): Promise<L>;
}

/** Layers by cache key. */
export interface BuildCache<L> {
  get(key: string): Promise<L | undefined>;
  put(key: string, layer: L): Promise<void>;
}
