/**
 * POST /v1/plan, /v1/apply, /v1/down. A local client names a folder on this
 * host (`dir`); a remote one uploads the folder's files, which are unpacked
 * under the agent's state dir (content-addressed) and applied from there.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../errors.js';
import { redact } from '../../config/redact.js';
import type { ApiContext } from '../api-context.js';
import { ApplyBody, ApplyResultSchema, DownBody, DownResultSchema, PlanResultSchema } from '../schemas.js';

type Upload = { dir?: string; files?: { path: string; content: string; mode?: number }[] };

/** Resolves the folder a request names or uploads. */
export function folderOf(body: Upload, ctx: ApiContext): string {
  if (body.dir && body.files) throw new BerthError('E_BAD_REQUEST', 'give either dir or files, not both');
  if (body.dir) {
    if (!isAbsolute(body.dir)) throw new BerthError('E_BAD_REQUEST', `dir must be an absolute path on the agent host (got ${body.dir})`);
    return body.dir;
  }
  if (!body.files) throw new BerthError('E_BAD_REQUEST', 'give dir (a folder on the agent host) or files (an uploaded folder)');
  const hash = createHash('sha256');
  for (const f of [...body.files].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${f.path}\0${f.content}\0`);
  const dir = ctx.uploadDir(hash.digest('hex').slice(0, 16));
  for (const f of body.files) {
    const rel = normalize(f.path);
    if (isAbsolute(rel) || rel.startsWith('..')) throw new BerthError('E_BAD_REQUEST', `files: ${f.path} leaves the folder`);
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, { mode: f.mode ?? 0o644 });
  }
  return dir;
}

/** Registers /v1/plan, /v1/apply and /v1/down. */
export function registerApplyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['apply'];
  app.post<{ Body: Upload }>('/v1/plan', { schema: { summary: 'What applying a folder would change (changes nothing)', tags, body: ApplyBody, response: { 200: PlanResultSchema } } }, async (req) => {
    const dir = folderOf(req.body, ctx);
    const { plan, errors, secrets } = await ctx.agent.plan(dir);
    const hide = (s: string) => redact(s, secrets);
    return {
      plan: {
        ...plan,
        actions: plan.actions.map((a) => ({ ...a, reason: hide(a.reason), diffs: a.diffs.map((d) => ({ ...d, unified: hide(d.unified) })) })),
      },
      errors: errors.map((e) => e.toJSON()),
    };
  });

  app.post<{ Body: Upload }>('/v1/apply', { schema: { summary: 'Apply a unit folder: all of it or nothing', tags, body: ApplyBody, response: { 200: ApplyResultSchema } } }, async (req) => {
    const dir = folderOf(req.body, ctx);
    const { plan } = await ctx.agent.apply(dir);
    return { applied: true, dir, summary: plan.summary, actions: plan.actions.map((a) => ({ unit: a.unit, kind: a.kind, reason: a.reason })) };
  });

  app.post<{ Body: { units?: string[] } }>('/v1/down', { schema: { summary: 'Stop units in reverse dependency order', tags, body: DownBody, response: { 200: DownResultSchema } } }, async (req) => ({
    stopped: await ctx.agent.down(req.body?.units ?? []),
  }));
}
