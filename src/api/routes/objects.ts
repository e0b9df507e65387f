/**
 * GET /v1/networks and /v1/volumes: the shared objects that network and
 * volume units declare (plus the built-in `default` network), and which
 * units use each.
 */
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';

const NetworkSchema = Type.Object({
  name: Type.String(),
  subnet: Type.Optional(Type.String({ description: 'declared subnet; allocated from 10.89.0.0/16 when absent' })),
  declared: Type.Boolean({ description: 'false for the built-in default network' }),
  units: Type.Array(Type.String(), { description: 'units attached to it' }),
});

const VolumeSchema = Type.Object({
  name: Type.String(),
  path: Type.String({ description: 'where its data lives on the agent host' }),
  declared: Type.Boolean({ description: 'false for volumes made on demand by a unit' }),
  units: Type.Array(Type.String(), { description: 'units that mount it' }),
});

export function registerObjectRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const supervised = () => [...ctx.agent.units.values()].map((s) => s.spec);

  app.get('/v1/networks', { schema: { summary: 'Networks: declared by network units, and the built-in default', tags: ['objects'], response: { 200: Type.Array(NetworkSchema) } } }, async () => {
    const names = new Set(['default']);
    for (const s of ctx.agent.objects.values()) if (s.kind === 'network') names.add(s.name);
    for (const s of supervised()) for (const n of s.network.attach) names.add(n);
    return [...names].sort().map((name) => {
      const spec = ctx.agent.objects.get(name);
      return {
        name,
        ...(spec?.subnet ? { subnet: spec.subnet } : {}),
        declared: spec?.kind === 'network',
        units: supervised().filter((s) => s.network.attach.includes(name)).map((s) => s.name).sort(),
      };
    });
  });

  app.get('/v1/volumes', { schema: { summary: 'Named volumes: declared by volume units, or made on demand', tags: ['objects'], response: { 200: Type.Array(VolumeSchema) } } }, async () => {
    const names = new Set<string>();
    for (const s of ctx.agent.objects.values()) if (s.kind === 'volume') names.add(s.name);
    for (const s of supervised()) for (const v of s.volumes) if (v.type === 'named') names.add(v.name);
    const { root } = await ctx.info();
    const users = (name: string) => supervised().filter((s) => s.volumes.some((v) => v.type === 'named' && v.name === name)).map((s) => s.name).sort();
    return [...names].sort().map((name) => ({
      name,
      path: join(root, 'volumes', name, '_data'),
      declared: ctx.agent.objects.get(name)?.kind === 'volume',
      units: users(name),
    }));
  });
}
