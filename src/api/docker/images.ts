/**
 * Docker Engine API: /images/json, /images/{name}/json and DELETE
 * /images/{name}, over berth's image store (opened beside the agent's; the
 * store's file lock keeps the two consistent).
 */
import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../errors.js';
import type { ImageStore } from '../../image/image-store.js';
import type { ApiContext } from '../api-context.js';

/** Registers the image routes. */
export function registerDockerImages(app: FastifyInstance, ctx: ApiContext): void {
  let store: Promise<ImageStore> | undefined;
  const images = () => (store ??= (async () => {
    const { ImageStore } = await import('../../image/image-store.js');
    return ImageStore.open((await ctx.info()).root);
  })());
  const sha = (d: string) => (d.startsWith('sha256:') ? d : `sha256:${d}`);

  app.get('/images/json', async () => {
    const rows = await (await images()).list();
    const byId = new Map<string, { id: string; tags: string[]; digests: string[]; created: number; size: number }>();
    for (const r of rows) {
      const row = byId.get(r.id) ?? { id: sha(r.id), tags: [], digests: [], created: r.created ? Math.floor(Date.parse(r.created) / 1000) : 0, size: r.size };
      if (r.name) row.tags.push(`${r.repository}:${r.tag}`);
      row.digests.push(`${r.repository}@${r.digest}`);
      byId.set(r.id, row);
    }
    return [...byId.values()].map((r) => ({
      Id: r.id, ParentId: '', RepoTags: r.tags.length ? r.tags : ['<none>:<none>'], RepoDigests: r.digests, Created: r.created,
      Size: r.size, VirtualSize: r.size, SharedSize: -1, Labels: {}, Containers: -1,
    }));
  });

  app.get<{ Params: { '*': string } }>('/images/*', async (req) => {
    const ref = req.params['*'].replace(/\/json$/, '');
    if (!req.params['*'].endsWith('/json')) throw new BerthError('E_NOT_IMPLEMENTED', `berth does not implement GET /images/${req.params['*']}`);
    const store = await images();
    const img = await store.resolve(ref).catch(() => {
      throw new BerthError('E_IMAGE_NOT_FOUND', `No such image: ${ref}`);
    });
    const doc = await store.inspect(ref);
    const config = (img.config.config ?? {}) as Record<string, unknown>;
    return { Id: sha(String(doc.id ?? doc.Id ?? '')), RepoTags: [ref], Created: img.config.created ?? '', Os: 'linux', Architecture: 'amd64', Config: config, Size: 0, RootFS: { Type: 'layers', Layers: img.config.rootfs?.diff_ids ?? [] } };
  });

  app.delete<{ Params: { '*': string }; Querystring: { force?: string } }>('/images/*', async (req) => {
    const r = await (await images()).remove(req.params['*'], { force: req.query.force === '1' || req.query.force === 'true' });
    return [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))];
  });
}
