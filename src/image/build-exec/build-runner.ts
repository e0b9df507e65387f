/**
 * What the build executor needs from the container runtime, as an
 * interface (the image layer sits below the runtime): run one RUN step in a
 * throw-away container on given layers, stream its output, and let the
 * caller read the container's upper dir before the container is removed.
 * The real one is `ContainerBuildRunner` (src/supervisor/); tests may fake it.
 */

/** One RUN to carry out. */
export interface BuildRunRequest {
  /** A unique container id (e.g. `build-3f9a…`). */
  id: string;
  /** Overlay lowerdirs, top-most first. */
  layers: string[];
  argv: string[];
  /** KEY=VALUE, later ones winning. */
  env: string[];
  user: string;
  workdir: string;
}

/** How the RUN ended; `captured` is what `capture` returned (only on exit code 0). */
export interface BuildRunResult<T> {
  exitCode: number | null;
  signal?: string;
  captured?: T;
}

/** Runs RUN steps. Implementations remove the container whatever happens (failure, abort). */
export interface BuildRunner {
  run<T>(
    req: BuildRunRequest,
    onOutput: (chunk: string) => void,
    capture: (upperDir: string) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<BuildRunResult<T>>;
}
