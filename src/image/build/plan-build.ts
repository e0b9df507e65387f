/**
 * A parsed Dockerfile + build args + resolved base images + the context
 * index → the build plan (stages, steps, configs), or ConfigErrors with
 * positions. Pure. Cache keys need file contents, so they are added after
 * hashing by `assignCacheKeys`; until then every `key` is ''.
 *
 * ARG scoping follows Docker: ARGs before the first FROM are visible only
 * in FROM lines, unless a stage re-declares them (`ARG NAME`); an ARG in a
 * stage is visible from its line to the end of the stage; --build-arg
 * overrides defaults; ENV of the same name wins over ARG.
 */
import { ConfigError } from '../../errors.js';
import type { BuildPlan, BuildStage, BuildStep, DockerfilePos, ImageRunConfig, StageBase } from './build-plan.js';
import { dockerfileError, closest } from './dockerfile-error.js';
import type { ParsedDockerfile } from './dockerfile-instruction.js';
import { ExpandError, expandWord } from './expand-word.js';
import { DEFAULT_PATH, cloneConfig, envMap, fromContainerConfig } from './image-config.js';
import { planInstruction, type ResolvedImage, type StageScope } from './plan-instruction.js';
import type { ContextIndex } from './resolve-context-sources.js';

/** What planning needs besides the Dockerfile. */
export interface PlanBuildOptions {
  /** `--build-arg K=V` values. */
  buildArgs?: Record<string, string>;
  /** The stage to build (`--target`); the last one by default. */
  target?: string;
  /** Base images and COPY --from images, resolved by the caller (see `listImageRefs`). */
  images?: Record<string, ResolvedImage>;
  /** The build context after .dockerignore. */
  context?: ContextIndex;
  platform?: { os: string; arch: string; variant?: string };
}

/** The plan (keys still empty), or the errors found. */
export interface PlanBuildResult {
  plan?: BuildPlan;
  errors: ConfigError[];
}

/** An image reference the Dockerfile uses, for the caller to look up before planning. */
export interface ImageRefUse {
  ref: string;
  pos: DockerfilePos;
  use: 'from' | 'copy-from';
}

const PROXY_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((k) => [k, k.toLowerCase()]);

/** The values of ARGs declared before the first FROM (plus Docker's platform ARGs). */
export function globalArgValues(df: ParsedDockerfile, opts: PlanBuildOptions = {}): Map<string, string | undefined> {
  const p = opts.platform ?? { os: 'linux', arch: 'amd64' };
  const plat = `${p.os}/${p.arch}${p.variant ? `/${p.variant}` : ''}`;
  const vars = new Map<string, string | undefined>();
  for (const side of ['TARGET', 'BUILD']) {
    vars.set(`${side}PLATFORM`, plat).set(`${side}OS`, p.os).set(`${side}ARCH`, p.arch).set(`${side}VARIANT`, p.variant ?? '');
  }
  for (const ins of df.globalArgs) {
    for (const a of ins.args) {
      const known = new Map([...vars].filter((e): e is [string, string] => e[1] !== undefined));
      let value = opts.buildArgs?.[a.key];
      if (value === undefined && a.value !== undefined) {
        try {
          value = expandWord(a.value, known, df.escape);
        } catch {
          value = a.value;
        }
      }
      vars.set(a.key, value);
    }
  }
  return vars;
}

/** Every image the Dockerfile names (FROM and COPY --from), expanded, without stages or scratch. */
export function listImageRefs(df: ParsedDockerfile, opts: PlanBuildOptions = {}): ImageRefUse[] {
  const globals = definedOnly(globalArgValues(df, opts));
  const stages = new Set<string>();
  const out: ImageRefUse[] = [];
  const add = (ref: string, pos: DockerfilePos, use: ImageRefUse['use']) => {
    if (ref !== '' && ref.toLowerCase() !== 'scratch' && !stages.has(ref.toLowerCase()) && !/^\d+$/.test(ref) && !out.some((u) => u.ref === ref)) out.push({ ref, pos, use });
  };
  for (const ins of df.instructions) {
    try {
      if (ins.kind === 'FROM') {
        add(expandWord(ins.image.text, globals, df.escape), ins.image.pos, 'from');
        if (ins.alias) stages.add(ins.alias);
      } else if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from) {
        add(expandWord(ins.from.text, new Map([...globals, ...Object.entries(opts.buildArgs ?? {})]), df.escape), ins.from.pos, 'copy-from');
      }
    } catch {
      // A bad word is reported by planBuild with its position.
    }
  }
  return out;
}

/** Plans the build; every problem in the Dockerfile is a ConfigError with file:line:col. */
export function planBuild(df: ParsedDockerfile, opts: PlanBuildOptions = {}): PlanBuildResult {
  const errors: ConfigError[] = [];
  const globals = globalArgValues(df, opts);
  const stageNames = new Map<string, number>();
  df.instructions.filter((i) => i.kind === 'FROM').forEach((f, n) => f.alias && !stageNames.has(f.alias) && stageNames.set(f.alias, n));
  const consumed = new Set<string>(df.globalArgs.flatMap((g) => g.args.map((a) => a.key)));
  const proxies = new Map(PROXY_ARGS.filter((k) => opts.buildArgs?.[k] !== undefined).map((k) => [k, opts.buildArgs![k]!]));
  const stages: BuildStage[] = [];
  const warnings: string[] = [];
  const deps: Set<number>[] = [];
  let scope: StageScope | undefined;
  let number = 0;
  for (const ins of df.instructions) {
    if (ins.kind === 'FROM') {
      if (scope) finishStage(stages[stages.length - 1]!, scope);
      const index = stages.length;
      const started = startStage(df, ins, globals, stages, opts, warnings);
      if ('error' in started) {
        errors.push(started.error);
        scope = undefined;
        stages.push({ index, base: { type: 'scratch' }, pos: ins.pos, baseKey: '', steps: [], config: {} });
        deps.push(new Set());
        continue;
      }
      stages.push({ index, ...(ins.alias ? { name: ins.alias } : {}), base: started.base, pos: ins.pos, baseKey: '', steps: [], config: started.config });
      deps.push(new Set(started.base.type === 'stage' ? [started.base.stage] : []));
      scope = {
        file: df.file, escape: df.escape, stage: index, config: started.config, args: new Map(), cmdSet: false,
        stageNames, stageCount: df.instructions.filter((i) => i.kind === 'FROM').length, images: opts.images ?? {}, context: opts.context ?? new Map(), buildArgs: opts.buildArgs ?? {},
        globals, consumed, proxies,
      };
      continue;
    }
    if (!scope) continue;
    const planned = planInstruction(ins, scope);
    if ('error' in planned) {
      errors.push(planned.error);
      continue;
    }
    if (planned.reads !== undefined) deps[scope.stage]!.add(planned.reads);
    const step: BuildStep = {
      number: ++number, stage: scope.stage, text: ins.text, pos: ins.pos, action: planned.action, key: '',
      buildArgs: [...scope.args].map(([k, v]) => `${k}=${v}`).sort(),
      config: cloneConfig(scope.config), history: planned.history,
    };
    stages[scope.stage]!.steps.push(step);
  }
  if (scope) finishStage(stages[stages.length - 1]!, scope);
  const target = pickTarget(df, stages, opts.target);
  if (typeof target !== 'number') errors.push(target);
  if (errors.length > 0 || typeof target !== 'number') return { errors };
  const given = Object.keys(opts.buildArgs ?? {}).filter((k) => !consumed.has(k) && !PROXY_ARGS.includes(k));
  warnings.push(...given.map((k) => `build arg ${k} was given but no ARG in ${df.file} declares it`));
  return { plan: { file: df.file, stages, target, order: buildOrder(target, deps), warnings }, errors };
}

function definedOnly(vars: Map<string, string | undefined>): Map<string, string> {
  return new Map([...vars].filter((e): e is [string, string] => e[1] !== undefined));
}

function finishStage(stage: BuildStage, scope: StageScope): void {
  stage.config = cloneConfig(scope.config);
  if (scope.author !== undefined) stage.author = scope.author;
}

type FromIns = Extract<ParsedDockerfile['instructions'][number], { kind: 'FROM' }>;

function startStage(
  df: ParsedDockerfile,
  ins: FromIns,
  globals: Map<string, string | undefined>,
  stages: BuildStage[],
  opts: PlanBuildOptions,
  warnings: string[],
): { base: StageBase; config: ImageRunConfig } | { error: ConfigError } {
  const fail = (message: string, hint?: string) => ({ error: dockerfileError(df.file, ins.image.pos, 'E_DOCKERFILE', message, hint, 'FROM') });
  let ref: string;
  try {
    ref = expandWord(ins.image.text, definedOnly(globals), df.escape);
  } catch (err) {
    if (err instanceof ExpandError) return fail(`FROM: ${err.message}`);
    throw err;
  }
  if (ins.platform) {
    const host = globals.get('BUILDPLATFORM')!;
    let wanted: string;
    try {
      wanted = expandWord(ins.platform.text, definedOnly(globals), df.escape);
    } catch (err) {
      if (err instanceof ExpandError) return fail(`FROM --platform: ${err.message}`);
      throw err;
    }
    if (wanted !== host) {
      const at = ins.platform.pos;
      return { error: dockerfileError(df.file, at, 'E_DOCKERFILE', `FROM --platform=${wanted} is not supported: berth builds for ${host} only`, 'remove --platform (or set it to $BUILDPLATFORM); cross-platform builds need emulation berth does not do', 'FROM') };
    }
  }
  if (ref === '') return fail(`FROM ${ins.image.text} is empty after expansion`, 'declare the ARG before the first FROM with a default, or pass --build-arg');
  let base: StageBase;
  let config: ImageRunConfig;
  const earlier = stages.find((s) => s.name === ref.toLowerCase());
  if (ref.toLowerCase() === 'scratch') {
    base = { type: 'scratch' };
    config = {};
  } else if (earlier) {
    base = { type: 'stage', stage: earlier.index };
    config = cloneConfig(earlier.config);
  } else if (opts.images?.[ref]) {
    base = { type: 'image', ref, digest: opts.images[ref]!.digest };
    config = fromContainerConfig(opts.images[ref]!.config);
    if (config.OnBuild?.length) {
      warnings.push(`${df.file}:${ins.pos.line}: base image ${ref} has ONBUILD triggers (${config.OnBuild.join('; ')}); berth records ONBUILD but does not run it`);
      delete config.OnBuild;
    }
  } else {
    if (ins.alias === ref.toLowerCase()) return fail(`stage "${ref}" cannot start from itself`);
    return fail(`base image "${ref}" is not in the local store`, 'see `berth images`; built in without a network: scratch, busybox, debian:bookworm; or `berth pull` it');
  }
  if (!envMap(config.Env).has('PATH')) config.Env = [DEFAULT_PATH, ...(config.Env ?? [])];
  return { base, config };
}

function pickTarget(df: ParsedDockerfile, stages: BuildStage[], target: string | undefined): number | ConfigError {
  if (target === undefined) return stages.length - 1;
  const found = stages.find((s) => s.name === target.toLowerCase());
  if (found) return found.index;
  const guess = closest(target, stages.flatMap((s) => (s.name ? [s.name] : [])));
  return new ConfigError('E_BUILD_TARGET', `no stage named "${target}" in ${df.file}`, { file: df.file, line: 1, column: 1, path: 'target' }, {
    hint: guess ? `did you mean --target ${guess}?` : 'name a stage with FROM IMAGE AS NAME',
  });
}

function buildOrder(target: number, deps: Set<number>[]): number[] {
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of deps[i] ?? []) visit(d);
  };
  visit(target);
  return [...needed].sort((a, b) => a - b);
}
