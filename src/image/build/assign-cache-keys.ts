/**
 * Cache keys for a planned build, once the context files it reads are
 * hashed: key = sha256(parent key + normalised instruction + build args in
 * scope + the digest of every file the step reads (path, type, mode, size,
 * content; never mtime)). An unchanged rebuild gives the same keys; a
 * changed file changes the key of the COPY that reads it and of every step
 * after it; files no step reads change nothing. Also decides which ADD
 * sources are archives to extract and writes COPY/ADD history lines.
 */
import { createHash } from 'node:crypto';
import type { ConfigError } from '../../errors.js';
import type { BuildPlan, BuildStage, BuildStep, ContextEntry, CopyAction, FileDigest } from './build-plan.js';
import { dockerfileError } from './dockerfile-error.js';
import { nopCreatedBy } from './image-config.js';

/** Context path → what hashing found. */
export type FileDigests = ReadonlyMap<string, FileDigest>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The context files (regular files and symlinks) the stages to build read, sorted, once each. */
export function filesToHash(plan: BuildPlan): ContextEntry[] {
  const out = new Map<string, ContextEntry>();
  for (const i of plan.order) {
    for (const step of plan.stages[i]!.steps) {
      if (step.action.type !== 'copy' || step.action.source.type !== 'context') continue;
      for (const f of step.action.source.files) if (f.type !== 'dir') out.set(f.path, f);
    }
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The digest of a set of context entries with their contents. */
export function digestEntries(files: readonly ContextEntry[], digests: FileDigests): string | { missing: string } {
  const lines: string[] = [];
  for (const f of files) {
    const content = f.type === 'dir' ? '' : f.type === 'symlink' ? `-> ${f.linkTarget ?? ''}` : digests.get(f.path)?.digest;
    if (content === undefined) return { missing: f.path };
    lines.push(`${f.path}\t${f.type}\t${f.mode.toString(8)}\t${f.type === 'file' ? f.size : 0}\t${content}`);
  }
  return `sha256:${sha256(lines.join('\n'))}`;
}

/** A copy of `plan` with keys, ADD extraction and COPY history filled in (stages in `order` only); or errors. */
export function assignCacheKeys(plan: BuildPlan, digests: FileDigests): { plan?: BuildPlan; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const stages: BuildStage[] = [];
  const lastKey = (s: BuildStage) => s.steps[s.steps.length - 1]?.key ?? s.baseKey;
  for (const stage of plan.stages) {
    if (!plan.order.includes(stage.index)) {
      stages.push(stage); // not built, so not hashed: keys stay ''
      continue;
    }
    const base = stage.base;
    const baseKey =
      base.type === 'stage' ? lastKey(stages[base.stage]!) : `sha256:${sha256(base.type === 'image' ? `image ${base.digest}` : 'scratch')}`;
    let parent = baseKey;
    const steps: BuildStep[] = [];
    for (const step of stage.steps) {
      const done = keyStep(plan.file, step, parent, digests, stages);
      if ('error' in done) {
        errors.push(done.error);
        steps.push(step);
        continue;
      }
      steps.push(done);
      parent = done.key;
    }
    stages.push({ ...stage, baseKey, steps });
  }
  return errors.length > 0 ? { errors } : { plan: { ...plan, stages }, errors };
}

function keyStep(
  file: string,
  step: BuildStep,
  parent: string,
  digests: FileDigests,
  done: BuildStage[],
): BuildStep | { error: ConfigError } {
  const fail = (message: string, hint?: string) => ({ error: dockerfileError(file, step.pos, 'E_BUILD_CONTEXT', message, hint, step.text.split(' ')[0]) });
  let contentPart = '';
  let action = step.action;
  let history = step.history;
  let normalised: unknown = action;
  if (action.type === 'copy') {
    const src = action.source;
    if (src.type === 'context') {
      const d = digestEntries(src.files, digests);
      if (typeof d !== 'string') return fail(`context file "${d.missing}" changed or vanished while the build read it`, 'run the build again');
      contentPart = d;
      const extract: string[] = [];
      if (action.instruction === 'ADD') {
        for (const root of src.roots) {
          const kind = digests.get(root)?.archive;
          if (kind === 'bzip2' || kind === 'xz' || kind === 'zstd') return fail(`ADD would extract "${root}", a ${kind}-compressed archive berth cannot unpack`, 'recompress it as .tar or .tar.gz, or COPY it to keep it as a file');
          if (kind !== undefined) extract.push(root);
        }
      }
      action = { ...action, extract };
      normalised = { ...action, source: { type: 'context', roots: src.roots } };
      history = { created_by: nopCreatedBy(step.config, `${action.instruction} ${copyLabel(action, src.files)}:${d.slice(7)} in ${action.dest} `, true) };
    } else {
      if (src.type === 'stage') {
        const from = done[src.stage]!;
        contentPart = from.steps[from.steps.length - 1]?.key ?? from.baseKey;
      }
      const from = src.type === 'stage' ? String(src.stage) : src.ref;
      history = { created_by: nopCreatedBy(step.config, `${action.instruction} --from=${from} ${src.paths.join(' ')} in ${action.dest} `, true) };
    }
  }
  const key = `sha256:${sha256([parent, JSON.stringify([normalised, step.config]), step.buildArgs.join('\n'), contentPart].join('\n\0'))}`;
  return { ...step, action, history, key };
}

function copyLabel(action: CopyAction, files: readonly ContextEntry[]): string {
  if (action.source.type !== 'context' || action.source.roots.length !== 1) return 'multi';
  const root = action.source.roots[0]!;
  const entry = files.find((f) => f.path === root);
  return entry && entry.type !== 'dir' && root !== '.' ? 'file' : 'dir';
}
