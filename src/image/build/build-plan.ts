/**
 * The typed build plan that `planBuild` makes from a Dockerfile and that
 * `runBuild` walks: stages in order, each with its steps, every step with its
 * cache key, the action it needs (run a command, copy files, make a
 * directory, or only change the config) and the image config after it.
 * Plain data: the executor that ties it to the store and the runtime reads it.
 */

/** A 1-based position in the Dockerfile. */
export interface DockerfilePos {
  line: number;
  column: number;
}

/**
 * The `config` object of an OCI/Docker image config, as a build changes it.
 * A type alias (not an interface) so it is assignable to the store's
 * `ContainerConfig` (src/image/oci-types.ts), which has an index signature.
 */
export type ImageRunConfig = {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Docker extension: health check, durations in nanoseconds. */
  Healthcheck?: ImageHealthcheck;
  /** Docker extension: the shell for shell-form RUN/CMD/ENTRYPOINT. */
  Shell?: string[];
  /** Docker extension: ONBUILD triggers, recorded, never run by berth. */
  OnBuild?: string[];
};

/** A Docker image health check; `Test[0]` is NONE, CMD or CMD-SHELL. */
export interface ImageHealthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** One OCI history entry (the executor adds `created`). */
export interface HistoryEntry {
  created_by: string;
  empty_layer?: boolean;
  author?: string;
}

/** A file, directory or symlink in the build context (after .dockerignore). */
export interface ContextEntry {
  /** Posix path relative to the context root, no leading `./`. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (mode & 0o7777). */
  mode: number;
  size: number;
  linkTarget?: string;
}

/** What hashing a context file found: its content digest and archive kind. */
export interface FileDigest {
  /** `sha256:…` of the content (files) or of the link target (symlinks). */
  digest: string;
  /** For regular files: the archive kind ADD would extract (bzip2/xz/zstd: unsupported). */
  archive?: 'tar' | 'tar+gzip' | 'bzip2' | 'xz' | 'zstd';
}

/** Where a COPY/ADD reads: the context, an earlier stage, or an image. */
export type CopySource =
  | { type: 'context'; roots: string[]; files: ContextEntry[] }
  | { type: 'stage'; stage: number; paths: string[] }
  | { type: 'image'; ref: string; digest: string; paths: string[] };

/** Run a command in a container on the layers so far. */
export interface RunAction {
  type: 'run';
  argv: string[];
  /** The full environment: image Env, then build args in scope not set by Env. */
  env: string[];
  user: string;
  workdir: string;
}

/**
 * Copy files into the image (ADD: also extract local tar archives), with
 * Docker's rules for the executor: a directory root copies its contents,
 * not itself; a file goes to `dest/NAME` when `destIsDir`, else to `dest`;
 * owner 0:0 unless `chown` (user names resolved in the image's
 * /etc/passwd); `chmod` overrides the mode of every copied entry; a root in
 * `extract` is unpacked into `dest` instead of copied. Context paths are
 * relative to the context directory (`LoadedBuild.contextDir`).
 */
export interface CopyAction {
  type: 'copy';
  instruction: 'COPY' | 'ADD';
  source: CopySource;
  /** Absolute destination (relative ones joined to WORKDIR); a trailing `/` is kept. */
  dest: string;
  /** The destination is a directory (ends in `/`, or several sources). */
  destIsDir: boolean;
  chown?: string;
  chmod?: number;
  /** Context roots that ADD extracts instead of copying (tar archives). */
  extract: string[];
}

/** Create WORKDIR if missing (owned by the current USER). */
export interface MkdirAction {
  type: 'mkdir';
  path: string;
  user: string;
}

/** What a step does; `config` steps change only the image config. */
export type StepAction = RunAction | CopyAction | MkdirAction | { type: 'config' };

/** One Dockerfile instruction as a build step. */
export interface BuildStep {
  /** 1-based number over the whole build, for `step n/N`. */
  number: number;
  stage: number;
  /** The instruction as written (continuations joined), for progress output. */
  text: string;
  pos: DockerfilePos;
  action: StepAction;
  /** Build args in scope at this step (`K=V`, sorted): part of the cache key. */
  buildArgs: string[];
  /** sha256 of parent key + normalised instruction + args in scope + file contents. */
  key: string;
  /** The image config after this step. */
  config: ImageRunConfig;
  history: HistoryEntry;
}

/** What a stage starts from. */
export type StageBase =
  | { type: 'scratch' }
  | { type: 'image'; ref: string; digest: string }
  | { type: 'stage'; stage: number };

/** One FROM … and its steps. */
export interface BuildStage {
  index: number;
  name?: string;
  base: StageBase;
  pos: DockerfilePos;
  /** The key the first step chains from (image digest, or the base stage's last key). */
  baseKey: string;
  steps: BuildStep[];
  /** The config after the last step. */
  config: ImageRunConfig;
  /** The author set by MAINTAINER, if any. */
  author?: string;
}

/** A whole build: every stage, the target, and the order to build the needed ones in. */
export interface BuildPlan {
  file: string;
  stages: BuildStage[];
  /** Index of the stage whose result is the image. */
  target: number;
  /** Stages the target needs, in build order (unused stages are skipped). */
  order: number[];
  /** Things worth telling the user, e.g. build args nobody declared. */
  warnings: string[];
}
