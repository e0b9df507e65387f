/**
 * COPY/ADD inside a stage → a copy action: sources expanded and resolved
 * (the context, an earlier stage, or a stored image), the destination made
 * absolute against WORKDIR, --chown/--chmod checked, URLs refused (no
 * network). The content digest and history line come later, from
 * `assignCacheKeys`, once the files are hashed.
 */
import { posix } from 'node:path';
import type { CopyAction, CopySource, ImageRunConfig } from './build-plan.js';
import { closest } from './dockerfile-error.js';
import type { DockerInstruction, SourceWord } from './dockerfile-instruction.js';
import type { Fail, PlannedStep, StageScope } from './plan-instruction.js';
import { resolveContextSources } from './resolve-context-sources.js';
import type { ConfigError } from '../../errors.js';

const URL_RE = /^(https?:\/\/|git@|git:\/\/)/i;

/** Plans one COPY or ADD; `expand` throws on bad substitutions (caught by the caller). */
export function planCopy(
  ins: Extract<DockerInstruction, { kind: 'COPY' | 'ADD' }>,
  c: ImageRunConfig,
  scope: StageScope,
  expand: (w: SourceWord) => string,
  fail: Fail,
): PlannedStep | { error: ConfigError } {
  const sources = ins.sources.map(expand);
  const url = sources.findIndex((s) => URL_RE.test(s));
  if (url >= 0) {
    return fail(`${ins.kind} from a URL (${sources[url]}) is not supported`, 'berth builds without a network: download the file into the build context and ADD or COPY it from there', ins.sources[url]!.pos);
  }
  const rawDest = expand(ins.dest);
  if (rawDest === '') return fail(`${ins.kind} destination is empty`, undefined, ins.dest.pos);
  const many = sources.length > 1 || sources.some((s) => /[*?[]/.test(s));
  if (sources.length > 1 && !rawDest.endsWith('/')) {
    return fail(`${ins.kind} with more than one source needs a directory destination ending in /`, `write ${rawDest}/`, ins.dest.pos);
  }
  const resolved = posix.resolve(c.WorkingDir ?? '/', rawDest);
  const dirLike = rawDest.endsWith('/') || /(^|\/)\.\.?$/.test(rawDest);
  const dest = dirLike && resolved !== '/' ? `${resolved}/` : resolved;
  let chmod: number | undefined;
  if (ins.chmod) {
    const m = expand(ins.chmod);
    if (!/^[0-7]{3,4}$/.test(m)) return fail(`invalid --chmod "${m}"`, 'give octal permissions such as 644 or 0755', ins.chmod.pos);
    chmod = parseInt(m, 8);
  }
  const chown = ins.chown ? expand(ins.chown) : undefined;
  let source: CopySource;
  let reads: number | undefined;
  if (ins.from) {
    const from = expand(ins.from);
    const paths = sources.map((s) => posix.resolve('/', s));
    const byName = scope.stageNames.get(from.toLowerCase());
    const index = /^\d+$/.test(from) ? Number(from) : byName;
    if (index !== undefined && index >= scope.stageCount) return fail(`COPY --from=${from}: no stage number ${index}`, `stages are numbered from 0 to ${scope.stageCount - 1}`, ins.from.pos);
    if (index !== undefined) {
      if (index >= scope.stage) return fail(`COPY --from=${from}: that stage ${index === scope.stage ? 'is this one' : 'comes later'}`, 'COPY --from can only read a stage defined above it', ins.from.pos);
      source = { type: 'stage', stage: index, paths };
      reads = index;
    } else if (scope.images[from]) {
      source = { type: 'image', ref: from, digest: scope.images[from]!.digest, paths };
    } else {
      const guess = closest(from, [...scope.stageNames.keys()].filter((n) => scope.stageNames.get(n)! < scope.stage));
      return fail(`COPY --from=${from}: no stage or image named "${from}"`, guess ? `did you mean --from=${guess}?` : 'name an earlier stage (FROM … AS NAME) or an image in the local store', ins.from.pos);
    }
  } else {
    const found = resolveContextSources(sources, scope.context);
    if ('message' in found) return fail(`${ins.kind}: ${found.message}`, found.hint, ins.sources[found.source]!.pos);
    source = { type: 'context', roots: found.roots, files: found.files };
  }
  const action: CopyAction = {
    type: 'copy', instruction: ins.kind, source, dest, destIsDir: dirLike || many,
    ...(chown === undefined ? {} : { chown }), ...(chmod === undefined ? {} : { chmod }), extract: [],
  };
  // created_by needs the content digest; assignCacheKeys fills it in.
  return { action, history: { created_by: '' }, ...(reads === undefined ? {} : { reads }) };
}
