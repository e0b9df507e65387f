/**
 * /v1/version, /v1/info, /v1/health and /v1/openapi.json.
 */
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import type { ApiContext } from '../api-context.js';
import { HealthSchema, InfoSchema, VersionSchema } from '../schemas.js';

/** Registers /v1/version, /v1/health, /v1/info and /v1/openapi.json. */
export function registerSystemRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['system'];
  app.get('/v1/version', { schema: { summary: 'Agent version', tags, response: { 200: VersionSchema } } }, async () => ({ version: VERSION, api: 'v1', node: process.version }));
  app.get('/v1/health', { schema: { summary: 'Liveness', tags, response: { 200: HealthSchema } } }, async () => ({ ok: true }));
  app.get('/v1/info', { schema: { summary: 'Host and agent facts: runtimes, VM acceleration, cgroups', tags, response: { 200: InfoSchema } } }, async () => {
    const info = await ctx.info();
    const units = ctx.agent.list();
    const count = (pred: (s: string) => boolean) => units.filter((u) => pred(u.state)).length;
    return {
      ...info,
      units: {
        total: units.length,
        running: count((s) => ['running', 'healthy', 'unhealthy'].includes(s)),
        failing: count((s) => ['failed', 'crash-looping', 'backing-off', 'unhealthy'].includes(s)),
        paused: count((s) => s === 'paused'),
      },
      lastSeq: ctx.agent.ledger.lastSeq,
    };
  });
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
