/**
 * /v1/units: list, get, act on (start, stop, restart, reload, pause,
 * unpause, reset), logs (with follow), top, exec, why.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import {
  ExecBody, ExecResultSchema, LogLineSchema, LogsQuery, ProcessInfoSchema, UnitActionParams, UnitActions, UnitDetailSchema, UnitNameParams, UnitViewSchema, WhySchema, streamable,
} from '../schemas.js';
import { openStream } from '../stream.js';

type Name = { Params: { name: string } };

/** `since` as epoch ms: an RFC 3339 time, or a duration ago like 10m. */
export function parseSince(since: string | undefined, now: number): number | undefined {
  if (!since) return undefined;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(since);
  if (m) return now - Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] as 'ms'];
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new BerthError('E_BAD_REQUEST', `since: not a time or duration: ${since}`, { hint: 'use e.g. 10m, 2h or 2026-01-02T15:04:05Z' });
  return t;
}

/** Registers the /v1/units routes. */
export function registerUnitRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['units'];
  app.get('/v1/units', { schema: { summary: 'Every unit and its state', tags, response: { 200: Type.Array(UnitViewSchema) } } }, async () => ctx.agent.list());

  app.get<Name>('/v1/units/:name', { schema: { summary: 'One unit: state, spec, observed status', tags, params: UnitNameParams, response: { 200: UnitDetailSchema } } }, async (req) => {
    const object = ctx.agent.objects.get(req.params.name);
    if (object && !ctx.agent.units.has(req.params.name)) return { ...ctx.agent.list().find((u) => u.name === object.name), spec: object, files: [] };
    const sup = ctx.agent.get(req.params.name);
    const view = ctx.agent.list().find((u) => u.name === sup.name);
    const status = await ctx.agent.inspectInstance(sup.name);
    return { ...view, spec: sup.spec, files: sup.files, ...(status ? { status } : {}) };
  });

  app.post<{ Params: { name: string; action: (typeof UnitActions)[number] } }>(
    '/v1/units/:name/:action',
    { schema: { summary: 'start | stop | restart | reload | pause | unpause | reset', tags, params: UnitActionParams, response: { 200: UnitViewSchema } } },
    async (req) => {
      const { name, action } = req.params;
      const sup = ctx.agent.get(name);
      if (action === 'start') await ctx.agent.start(name);
      else if (action === 'stop') await sup.stop('manual', true);
      else if (action === 'restart') await sup.restart('manual');
      else if (action === 'reload') await sup.reload();
      else if (action === 'pause') await sup.pause();
      else if (action === 'unpause') await sup.unpause();
      else await sup.reset();
      return ctx.agent.list().find((u) => u.name === name);
    },
  );

  app.get<Name>('/v1/units/:name/why', { schema: { summary: 'Why the unit is in its state, in one paragraph', tags, params: UnitNameParams, response: { 200: WhySchema } } }, async (req) => ({
    unit: req.params.name,
    why: ctx.agent.why(req.params.name),
  }));

  app.get<Name>('/v1/units/:name/top', { schema: { summary: 'Processes of the unit', tags, params: UnitNameParams, response: { 200: Type.Array(ProcessInfoSchema) } } }, async (req) => ctx.agent.top(req.params.name));

  app.post<Name & { Body: { argv: string[]; env?: Record<string, string>; user?: string; workdir?: string; timeoutMs?: number } }>(
    '/v1/units/:name/exec',
    { schema: { summary: 'Run a command inside the unit', tags, params: UnitNameParams, body: ExecBody, response: { 200: ExecResultSchema } } },
    async (req) => {
      const { argv, ...options } = req.body;
      return ctx.agent.exec(req.params.name, argv, { timeoutMs: 60_000, ...options });
    },
  );

  app.get<Name & { Querystring: { tail?: number; since?: string; follow?: boolean } }>(
    '/v1/units/:name/logs',
    { schema: { summary: 'Log lines (NDJSON or SSE when following)', tags, params: UnitNameParams, querystring: LogsQuery, response: { 200: streamable(LogLineSchema, 'log lines, oldest first') } } },
    async (req, reply) => {
      const name = req.params.name;
      const sinceMs = parseSince(req.query.since, Date.now());
      const lines = ctx.agent.logs(name, { ...(req.query.tail !== undefined ? { tail: req.query.tail } : {}), ...(sinceMs !== undefined ? { sinceMs } : {}) });
      if (!req.query.follow) return lines;
      const out = openStream(req, reply);
      for (const l of lines) out.send(l);
      const stop = ctx.agent.followLogs(name, (more) => more.forEach((l) => out.send(l)));
      out.onClose(stop);
      return reply;
    },
  );
}
