/**
 * /v1/systemd: the host's systemd services (live from systemd's signals)
 * and start/stop/restart of one, as systemd jobs. Talks to the system bus,
 * or to BERTH_SYSTEMD_BUS. With `follow=true` the list is a stream (NDJSON
 * or SSE): a snapshot, then each change as systemd signals it.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../api-context.js';
import { openStream } from '../stream.js';

const Query = Type.Object({ follow: Type.Optional(Type.Boolean({ description: 'stream: {type: snapshot, units}, then {type: changed, unit} / {type: removed, name}' })) });
const Params = Type.Object({ name: Type.String({ minLength: 1 }), verb: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]) });

/** Registers the systemd routes. */
export function registerSystemdRoutes(app: FastifyInstance, _ctx: ApiContext): void {
  const tags = ['systemd'];
  app.get<{ Querystring: { follow?: boolean } }>(
    '/v1/systemd/units',
    { schema: { summary: "The host's systemd services: state, sub-state, since, main PID, memory (follow=true: live)", tags, querystring: Query } },
    async (req, reply) => {
      const { hostUnits } = await import('../../systemd/host-units.js');
      const host = hostUnits();
      // listed before the stream opens, so a host without systemd gets a plain error reply
      const units = await host.list();
      if (!req.query.follow) return units;
      const out = openStream(req, reply);
      out.send({ type: 'snapshot', units }, { event: 'snapshot' });
      const stop = host.onChange((unit, removed) => {
        if (removed) out.send({ type: 'removed', name: unit.name }, { event: 'removed' });
        else out.send({ type: 'changed', unit }, { event: 'changed' });
      });
      out.onClose(stop);
      return reply;
    },
  );
  app.post<{ Params: { name: string; verb: 'start' | 'stop' | 'restart' } }>(
    '/v1/systemd/units/:name/:verb',
    { schema: { summary: 'Start, stop or restart a host systemd unit (waits for the job)', tags, params: Params } },
    async (req) => {
      const { hostUnits } = await import('../../systemd/host-units.js');
      return hostUnits().act(req.params.name, req.params.verb);
    },
  );
}
