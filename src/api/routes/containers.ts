/**
 * /v1/containers: the `berth run` family. A container is an ad-hoc unit
 * (label berth.origin=run): same supervision, logs, events and ledger as a
 * folder unit, never touched by apply.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { constants } from 'node:os';
import { BerthError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import { errorBody } from '../error-reply.js';
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

const STATUS: Record<string, number> = { E_BAD_SIGNAL: 400, E_BAD_VOLUME: 400, E_NO_IMAGE: 400, E_PORT_TAKEN: 409, E_START_FAILED: 422 };

/** Gives container errors the status the shared error handler does not know (400 for bad flags, 409 for a taken port). */
async function withStatus<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    const status = err instanceof BerthError ? ((err as { status?: number }).status ?? STATUS[err.code]) : undefined;
    if (!status) throw err;
    return reply.status(status).send(errorBody(err));
  }
}

/** Registers the container routes. */
export function registerContainerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['containers'];
  app.post<{ Body: ContainerRequest }>(
    '/v1/containers',
    { schema: { summary: 'Create (and start) a container: an ad-hoc unit', tags, body: ContainerCreateBody, response: { 201: UnitViewSchema } } },
    async (req, reply) => withStatus(reply, async () => reply.status(201).send(await createContainer(ctx.agent, req.body))),
  );

  const remove = async (req: { params: { name: string }; query: { force?: boolean | '1' | '0' } }, reply: { status(n: number): { send(): unknown } }) => {
    await ctx.agent.removeUnit(req.params.name, { force: req.query.force === true || req.query.force === '1' });
    return reply.status(204).send();
  };
  const removeSchema = { summary: 'Remove a unit (force: stop it first)', tags, params: UnitNameParams, querystring: RemoveQuery };
  app.delete<{ Params: { name: string }; Querystring: { force?: boolean | '1' | '0' } }>('/v1/containers/:name', { schema: removeSchema }, remove);
  app.delete<{ Params: { name: string }; Querystring: { force?: boolean | '1' | '0' } }>('/v1/units/:name', { schema: removeSchema }, remove);

  app.post<{ Params: { name: string }; Body: { signal?: string } }>(
    '/v1/units/:name/kill',
    { schema: { summary: 'Send a signal to the running instance (default SIGKILL)', tags, params: UnitNameParams, body: KillBody } },
    async (req, reply) => withStatus(reply, async () => {
      await ctx.agent.kill(req.params.name, signalName(req.body?.signal ?? 'SIGKILL'));
      return ctx.agent.list().find((u) => u.name === req.params.name);
    }),
  );
}
