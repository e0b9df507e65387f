/**
 * /v1/systemd: the host's systemd services (live from systemd's signals)
 * and start/stop/restart of one, as systemd jobs. Talks to the system bus,
 * or to BERTH_SYSTEMD_BUS.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiContext } from '../api-context.js';

const Params = Type.Object({ name: Type.String({ minLength: 1 }), verb: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]) });

/** Registers the systemd routes. */
export function registerSystemdRoutes(app: FastifyInstance, _ctx: ApiContext): void {
  const tags = ['systemd'];
  app.get('/v1/systemd/units', { schema: { summary: "The host's systemd services: state, sub-state, since, main PID, memory", tags } }, async () => {
    const { hostUnits } = await import('../../systemd/host-units.js');
    return hostUnits().list();
  });
  app.post<{ Params: { name: string; verb: 'start' | 'stop' | 'restart' } }>(
    '/v1/systemd/units/:name/:verb',
    { schema: { summary: 'Start, stop or restart a host systemd unit (waits for the job)', tags, params: Params } },
    async (req) => {
      const { hostUnits } = await import('../../systemd/host-units.js');
      return hostUnits().act(req.params.name, req.params.verb);
    },
  );
}
