/** Shared helpers for the build-planner tests: parse + plan in one call, and fake contexts. */
import type { BuildPlan, ContextEntry, ImageRunConfig } from '../../../src/image/build/build-plan.js';
import { parseDockerfile } from '../../../src/image/build/parse-dockerfile.js';
import { planBuild, type PlanBuildOptions } from '../../../src/image/build/plan-build.js';
import type { ContextIndex } from '../../../src/image/build/resolve-context-sources.js';

/** busybox as Docker Hub's image config has it. */
export const BUSYBOX: { digest: string; config: ImageRunConfig } = {
  digest: 'sha256:' + 'b'.repeat(64),
  config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
};

/** A context index from paths: `dir/` is a directory, `a -> b` a symlink, anything else a 0644 file of 10 bytes. */
export function fakeContext(paths: string[]): ContextIndex {
  const out = new Map<string, ContextEntry>();
  for (const p of paths) {
    if (p.includes(' -> ')) {
      const [path, target] = p.split(' -> ') as [string, string];
      out.set(path, { path, type: 'symlink', mode: 0o777, size: 0, linkTarget: target });
    } else if (p.endsWith('/')) out.set(p.slice(0, -1), { path: p.slice(0, -1), type: 'dir', mode: 0o755, size: 0 });
    else out.set(p, { path: p, type: 'file', mode: 0o644, size: 10 });
  }
  return out;
}

/** Parses and plans `text`; throws with the messages if either fails (tests expecting success). */
export function planOk(text: string, opts: PlanBuildOptions = {}): BuildPlan {
  const res = tryPlan(text, opts);
  if (!res.plan) throw new Error(res.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return res.plan;
}

/** Parses and plans `text` with busybox available unless `images` is given. */
export function tryPlan(text: string, opts: PlanBuildOptions = {}) {
  const parsed = parseDockerfile(text, 'Dockerfile');
  if (!parsed.dockerfile) return { errors: parsed.errors, plan: undefined };
  return planBuild(parsed.dockerfile, { images: { busybox: BUSYBOX }, ...opts });
}
