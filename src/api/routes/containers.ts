/**
 * /v1/containers: the `berth run` family. A container is an ad-hoc unit
 * (label berth.origin=run): same supervision, logs, events and ledger as a
 * folder unit, never touched by apply.
 */
import type { FastifyInstance } from 'fastify';
import { constants } from 'node:os';
import { BerthError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import { ContainerCreateBody, KillBody, RemoveQuery } from '../containers/container-schemas.js';
import type { ContainerRequest } from '../containers/container-spec.js';
import { createContainer } from '../containers/create-container.js';
import { UnitNameParams, UnitViewSchema } from '../schemas.js';

/** A signal as a name the drivers take (SIGKILL), from KILL, SIGKILL or 9. */
export function signalName(text: string): string {
  const names = constants.signals as Record<string, number>;
  if (/^\d+$/.test(text)) {
    const hit = Object.entries(names).find(([, n]) => n === Number(text));
    if (hit) return hit[0];
  } else {
    const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
    if (name in names) return name;
  }
  throw new BerthError('E_BAD_SIGNAL', `unknown signal ${text}`, { hint: 'e.g. KILL, TERM, HUP, USR1 or 9' });
}

/** Registers the container routes. */
export function registerContainerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['containers'];
  app.post<{ Body: ContainerRequest }>(
    '/v1/containers',
    { schema: { summary: 'Create (and start) a container: an ad-hoc unit', tags, body: ContainerCreateBody, response: { 201: UnitViewSchema } } },
    async (req, reply) => reply.status(201).send(await createContainer(ctx.agent, req.body)),
  );

  const remove = async (req: { params: { name: string }; query: { force?: boolean } }, reply: { status(n: number): { send(): unknown } }) => {
    await ctx.agent.removeUnit(req.params.name, { force: req.query.force ?? false });
    return reply.status(204).send();
  };
  const removeSchema = { summary: 'Remove a unit (force: stop it first)', tags, params: UnitNameParams, querystring: RemoveQuery };
  app.delete<{ Params: { name: string }; Querystring: { force?: boolean } }>('/v1/containers/:name', { schema: removeSchema }, remove);
  app.delete<{ Params: { name: string }; Querystring: { force?: boolean } }>('/v1/units/:name', { schema: removeSchema }, remove);

  app.post<{ Params: { name: string }; Body: { signal?: string } }>(
    '/v1/units/:name/kill',
    { schema: { summary: 'Send a signal to the running instance (default SIGKILL)', tags, params: UnitNameParams, body: KillBody } },
    async (req) => {
      await ctx.agent.kill(req.params.name, signalName(req.body?.signal ?? 'SIGKILL'));
      return ctx.agent.list().find((u) => u.name === req.params.name);
    },
  );
}
