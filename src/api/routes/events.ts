/**
 * GET /v1/events: the ledger, in order, resumable. `since=SEQ` (or SSE's
 * Last-Event-ID) returns exactly the events after SEQ — no gap, no duplicate,
 * also across an agent restart, because seq lives in the ledger on disk.
 * `follow=true` keeps the stream open for live events.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { EventSchema, EventsQuery, streamable } from '../schemas.js';
import { openStream } from '../stream.js';

/** Registers GET /v1/events. */
export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { since?: number; unit?: string; type?: string; follow?: boolean; limit?: number } }>(
    '/v1/events',
    { schema: { summary: 'The event ledger (NDJSON or SSE), resumable from a sequence number', tags: ['events'], querystring: EventsQuery, response: { 200: streamable(EventSchema, 'events in seq order') } } },
    async (req, reply) => {
      const lastId = Number(req.headers['last-event-id']);
      const since = Number.isSafeInteger(lastId) && lastId > 0 ? lastId : req.query.since ?? 0;
      const filter = {
        ...(req.query.unit ? { unit: req.query.unit } : {}),
        ...(req.query.type ? { types: req.query.type.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
      };
      const ledger = ctx.agent.ledger;
      if (!req.query.follow) {
        return ledger.since(since, { ...filter, ...(req.query.limit ? { limit: req.query.limit } : {}) });
      }
      const out = openStream(req, reply);
      const stop = ledger.follow(since, (e) => out.send(e, { id: e.seq, event: e.type }), filter);
      out.onClose(stop);
      return reply;
    },
  );
}
