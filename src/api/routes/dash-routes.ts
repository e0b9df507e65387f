/**
 * Routes the dashboard needs beyond the core: resource usage of a few named
 * units in one request (only the rows on screen, never the whole host), and
 * the jobs with their last runs and next run time.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../api-context.js';

/** Most units one usage request may name: the dashboard asks for visible rows only. */
const MAX_USAGE_UNITS = 100;

/** GET /v1/dash/usage?units=a,b and GET /v1/dash/jobs. */
export function registerDashRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['dashboard'];
  app.get<{ Querystring: { units?: string } }>(
    '/v1/dash/usage',
    { schema: { summary: 'CPU and memory of the named units (comma-separated, at most 100)', tags, querystring: Type.Object({ units: Type.Optional(Type.String()) }) } },
    async (req) => {
      const known = new Set(ctx.agent.list().map((u) => u.name));
      const names = (req.query.units ?? '').split(',').filter((n) => known.has(n)).slice(0, MAX_USAGE_UNITS);
      const out: Record<string, { cpuNs?: number; memoryBytes?: number; memoryLimitBytes?: number; pids?: number; at: number }> = {};
      await Promise.all(names.map(async (name) => {
        const status = await ctx.agent.inspectInstance(name).catch(() => undefined);
        if (status?.usage) out[name] = { ...status.usage, at: Date.now() };
      }));
      return out;
    },
  );
  app.get('/v1/dash/jobs', { schema: { summary: 'Every job: its last runs (exit code, duration) and next run', tags } }, async () =>
    ctx.agent.list().filter((u) => u.kind === 'job').map((u) => ({
      unit: u.name,
      state: u.state,
      ...(ctx.agent.jobs.nextRun(u.name) ? { nextRun: ctx.agent.jobs.nextRun(u.name)!.getTime() } : {}),
      runs: ctx.agent.jobs.runs(u.name),
    })),
  );
}
