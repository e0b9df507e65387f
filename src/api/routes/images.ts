/**
 * /v1/images: the image store over the API. Refs travel in the query
 * (`?ref=app:v1`) or the body, never in the path (they hold `/` and `:`).
 * Build, pull and push stream NDJSON progress and end with one line
 * `{done: true, …}` or `{error: {code, message, hint}}` (a failed build's
 * error keeps its file:line:col and lists every error in `errors`). Paths
 * (build context, save/load files) are on the agent host; a remote client
 * uploads its build context as a tar to /v1/images/build/upload instead.
 */
import { isAbsolute, join, posix } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import { openStream } from '../stream.js';
import { UnitNameParams } from '../schemas.js';

const RefQuery = Type.Object({ ref: Type.String({ minLength: 1, description: 'NAME[:TAG], digest or image ID' }) });
const BuildBody = Type.Object({
  context: Type.String({ minLength: 1, description: 'the build context: an absolute folder on the agent host' }),
  dockerfile: Type.Optional(Type.String({ description: 'the Dockerfile (default CONTEXT/Dockerfile)' })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  buildArgs: Type.Optional(Type.Record(Type.String(), Type.String())),
  target: Type.Optional(Type.String()),
  noCache: Type.Optional(Type.Boolean()),
});
const CommitBody = Type.Object({
  ref: Type.Optional(Type.String({ minLength: 1, description: 'NAME[:TAG] for the new image (none: dangling)' })),
  author: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  changes: Type.Optional(Type.Array(Type.String(), { description: 'Docker --change lines: CMD ["sh"], ENV K=V, …' })),
  pause: Type.Optional(Type.Boolean({ description: 'pause the container while reading it (default true)' })),
});
const RegistryBody = Type.Object({
  ref: Type.String({ minLength: 1 }),
  dest: Type.Optional(Type.String({ description: 'push: REGISTRY/NAME[:TAG] to push to' })),
  insecure: Type.Optional(Type.Boolean()),
  mountFrom: Type.Optional(Type.String()),
});

type Build = { context: string; dockerfile?: string; tags?: string[]; buildArgs?: Record<string, string>; target?: string; noCache?: boolean };
type Commit = { ref?: string; author?: string; message?: string; changes?: string[]; pause?: boolean };
type Registry = { ref: string; dest?: string; insecure?: boolean; mountFrom?: string };

const UploadQuery = Type.Object({
  dockerfile: Type.Optional(Type.String({ minLength: 1, description: "the Dockerfile's path inside the archive (default Dockerfile)" })),
  tag: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'NAME[:TAG] (repeatable)' })),
  buildArg: Type.Optional(Type.Array(Type.String(), { description: 'K=V (repeatable)' })),
  target: Type.Optional(Type.String()),
  noCache: Type.Optional(Type.Boolean()),
  shownContext: Type.Optional(Type.String({ description: 'the context as the client named it: messages say this instead of the agent’s temp folder' })),
  shownDockerfile: Type.Optional(Type.String({ description: 'the Dockerfile as the client named it, for file:line:col' })),
});
type Upload = { dockerfile?: string; tag?: string[]; buildArg?: string[]; target?: string; noCache?: boolean; shownContext?: string; shownDockerfile?: string };

/** An error as JSON; a failed build's list rides along as `errors`. */
const asJson = (err: unknown): Record<string, unknown> => {
  if (!(err instanceof BerthError)) return { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) };
  const list = (err as BerthError & { errors?: unknown[] }).errors;
  const one = (e: unknown) => (e instanceof BerthError ? e.toJSON() : { code: 'E_INTERNAL', message: String(e) });
  return { ...err.toJSON(), ...(Array.isArray(list) ? { errors: list.map(one) } : {}) };
};

/** The first of a failed build's errors (file:line:col kept), carrying all of them. */
function buildFailure(errors: BerthError[]): BerthError {
  const first = errors[0] ?? new BerthError('E_BUILD', 'the build failed');
  (first as BerthError & { errors?: unknown }).errors = errors;
  return first;
}

/** Rewrites every mention of `from` paths in a JSON value to what the client named (longest first). */
function showPaths(pairs: [from: string, to: string][]): (v: unknown) => unknown {
  const esc = (t: string) => JSON.stringify(t).slice(1, -1);
  return (v) => {
    let text = JSON.stringify(v);
    for (const [from, to] of pairs) text = text.split(esc(from)).join(esc(to));
    return JSON.parse(text) as unknown;
  };
}

function absolute(path: string, what: string): string {
  if (!isAbsolute(path)) throw new BerthError('E_BAD_REQUEST', `${what} must be an absolute path on the agent host (got ${path})`);
  return path;
}

/** Registers the image routes (they need `ctx.images`, which a real agent has). */
export function registerImageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['images'];
  const svc = () => {
    if (!ctx.images) throw new BerthError('E_NOT_IMPLEMENTED', 'this agent has no image service');
    return ctx.images;
  };
  const store = () => svc().store;

  app.get('/v1/images', { schema: { summary: 'Local images, one row per name', tags } }, async () => store().list());
  app.get<{ Querystring: { ref: string } }>('/v1/images/inspect', { schema: { summary: 'An image: config, layers, manifest', tags, querystring: RefQuery } }, async (req) => store().inspect(req.query.ref));
  app.get<{ Querystring: { ref: string } }>('/v1/images/history', { schema: { summary: 'The steps that made an image, newest first', tags, querystring: RefQuery } }, async (req) => store().history(req.query.ref));
  app.post<{ Body: { source: string; target: string } }>(
    '/v1/images/tag',
    { schema: { summary: 'Give an image another name', tags, body: Type.Object({ source: Type.String({ minLength: 1 }), target: Type.String({ minLength: 1 }) }) } },
    async (req) => {
      const image = await store().tag(req.body.source, req.body.target);
      return { digest: image.digest, names: image.names };
    },
  );
  app.delete<{ Querystring: { ref: string; force?: boolean } }>(
    '/v1/images',
    { schema: { summary: 'Untag a name or remove an image', tags, querystring: Type.Object({ ref: Type.String({ minLength: 1 }), force: Type.Optional(Type.Boolean()) }) } },
    async (req) => store().remove(req.query.ref, { force: req.query.force ?? false }),
  );
  app.post<{ Body: { graceMs?: number } }>(
    '/v1/images/prune',
    { schema: { summary: 'Remove unnamed images and unused blobs/layers', tags, body: Type.Object({ graceMs: Type.Optional(Type.Integer({ minimum: 0 })) }) } },
    async (req) => svc().prune(req.body?.graceMs === undefined ? {} : { graceMs: req.body.graceMs }),
  );
  app.post<{ Body: { refs: string[]; file: string } }>(
    '/v1/images/save',
    { schema: { summary: 'Write images to an OCI archive on the agent host', tags, body: Type.Object({ refs: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), file: Type.String({ minLength: 1 }) }) } },
    async (req) => {
      const { saveImage } = await import('../../image/oci-archive.js');
      const saved = await saveImage(store(), req.body.refs, absolute(req.body.file, 'file'));
      return { saved: saved.map((i) => ({ digest: i.digest, names: i.names })) };
    },
  );
  app.post<{ Body: { file: string; tag?: string } }>(
    '/v1/images/load',
    { schema: { summary: 'Read images from an OCI archive or docker-save tar on the agent host', tags, body: Type.Object({ file: Type.String({ minLength: 1 }), tag: Type.Optional(Type.String()) }) } },
    async (req) => {
      const { loadImage } = await import('../../image/oci-archive.js');
      const loaded = await loadImage(store(), absolute(req.body.file, 'file'), req.body.tag ? { name: req.body.tag } : {});
      return { loaded: loaded.map((l) => ({ ...(l.name ? { name: l.name } : {}), digest: l.image.digest })) };
    },
  );

  const streamed = (req: FastifyRequest, reply: FastifyReply, work: (send: (v: unknown) => void, signal: AbortSignal) => Promise<unknown>, show: (v: unknown) => unknown = (v) => v) => {
    const raw = openStream(req, reply);
    const stream = { ...raw, send: (v: unknown) => raw.send(show(v)) };
    const abort = new AbortController();
    let finished = false;
    stream.onClose(() => {
      if (!finished) abort.abort();
    });
    void work((v) => stream.send(v), abort.signal)
      .then((final) => stream.send({ done: true, ...(final as object) }), (err: unknown) => stream.send({ error: asJson(err) }))
      .finally(() => {
        finished = true;
        stream.end();
      });
  };

  app.post<{ Body: Build }>('/v1/images/build', { schema: { summary: 'Build an image from a Dockerfile (NDJSON progress)', tags, body: BuildBody } }, (req, reply) => {
    const b = req.body;
    streamed(req, reply, async (send, signal) => {
      const res = await svc().build({
        contextDir: absolute(b.context, 'context'),
        ...(b.dockerfile ? { dockerfile: b.dockerfile } : {}),
        ...(b.tags ? { tags: b.tags } : {}),
        ...(b.buildArgs ? { buildArgs: b.buildArgs } : {}),
        ...(b.target ? { target: b.target } : {}),
        ...(b.noCache ? { noCache: true } : {}),
        signal,
        onProgress: (e) => send(e.type === 'step-failed' ? { ...e, error: asJson(e.error) } : e),
      });
      if (!res.ok) throw buildFailure(res.errors);
      return { image: res.image.names[0] ?? res.image.digest, names: res.image.names, digest: res.image.digest, id: res.image.id, cached: res.cached, built: res.built };
    });
  });

  // the tar body is read by the route itself, as it arrives
  app.addContentTypeParser('application/x-tar', (_req, _payload, done) => done(null, undefined));
  app.post<{ Querystring: Upload }>(
    '/v1/images/build/upload',
    { schema: { summary: 'Build from an uploaded context: the body is its tar (application/x-tar), options in the query (NDJSON progress)', tags, querystring: UploadQuery, consumes: ['application/x-tar'] } },
    (req, reply) => {
      const q = req.query;
      svc(); // an agent without images says so before taking the upload
      if (!/^application\/x-tar\b/.test(req.headers['content-type'] ?? '')) throw new BerthError('E_BAD_REQUEST', 'the build context must be sent as application/x-tar', { hint: 'berth build packs and sends it for you' });
      const dockerfile = posix.normalize(q.dockerfile ?? 'Dockerfile');
      if (posix.isAbsolute(dockerfile) || dockerfile.split('/').includes('..')) throw new BerthError('E_BAD_REQUEST', `dockerfile must be a path inside the archive (got ${q.dockerfile})`);
      const buildArgs: Record<string, string> = {};
      for (const kv of q.buildArg ?? []) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new BerthError('E_BAD_REQUEST', `buildArg wants K=V, not "${kv}"`);
        buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const pairs: [string, string][] = [];
      streamed(req, reply, async (send, signal) => {
        const { checkBuildInputs, makeContextDir, removeContextDir, unpackBuildContext } = await import('../build-context.js');
        const dir = await makeContextDir((await ctx.info()).root);
        const shownContext = q.shownContext ?? 'context';
        pairs.push([join(dir, dockerfile), q.shownDockerfile ?? posix.join(shownContext, dockerfile)], [dir, shownContext]);
        try {
          const body = new PassThrough();
          req.raw.once('error', (err) => body.destroy(err));
          req.raw.once('aborted', () => body.destroy(new BerthError('E_ABORTED', 'the client went away during the upload')));
          req.raw.pipe(body);
          const sent = await unpackBuildContext(body, dir, { signal }).catch((err: unknown) => {
            // keep reading (and dropping) what still comes, so the client gets this answer instead of a reset
            req.raw.unpipe(body);
            req.raw.resume();
            throw err;
          });
          await checkBuildInputs(dir, dockerfile);
          send({ type: 'context', bytes: sent.bytes, entries: sent.entries });
          const res = await svc().build({
            contextDir: dir, dockerfile: join(dir, dockerfile), buildArgs, signal,
            ...(q.tag ? { tags: q.tag } : {}), ...(q.target ? { target: q.target } : {}), ...(q.noCache ? { noCache: true } : {}),
            onProgress: (e) => send(e.type === 'step-failed' ? { ...e, error: asJson(e.error) } : e),
          });
          if (!res.ok) throw buildFailure(res.errors);
          return { image: res.image.names[0] ?? res.image.digest, names: res.image.names, digest: res.image.digest, id: res.image.id, cached: res.cached, built: res.built };
        } finally {
          await removeContextDir(dir);
        }
      }, showPaths(pairs));
    },
  );

  app.post<{ Body: Registry }>('/v1/images/pull', { schema: { summary: 'Pull an image from a registry (NDJSON progress)', tags, body: RegistryBody } }, (req, reply) => {
    streamed(req, reply, async (send) => {
      const { pullImage } = await import('../../image/registry/pull-image.js');
      const res = await pullImage(store(), req.body.ref, { root: (await ctx.info()).root, insecure: req.body.insecure, onEvent: send });
      return { ...res };
    });
  });

  app.post<{ Body: Registry }>('/v1/images/push', { schema: { summary: 'Push an image to a registry (NDJSON progress)', tags, body: RegistryBody } }, (req, reply) => {
    streamed(req, reply, async (send) => {
      const { pushImage } = await import('../../image/registry/push-image.js');
      const res = await pushImage(store(), req.body.ref, req.body.dest, { root: (await ctx.info()).root, insecure: req.body.insecure, mountFrom: req.body.mountFrom, onEvent: send });
      return { ...res };
    });
  });

  const commit = async (req: FastifyRequest<{ Params: { name: string }; Body: Commit }>) => {
    const sup = ctx.agent.get(req.params.name);
    if (!sup.handle || sup.state === 'exited') throw new BerthError('E_NOT_RUNNING', `${req.params.name} has no running container to commit`, { hint: `start it first: berth start ${req.params.name}` });
    const b = req.body ?? {};
    const image = await svc().commit({ spec: sup.spec, handle: sup.handle }, {
      ...(b.ref ? { ref: b.ref } : {}), ...(b.author ? { author: b.author } : {}), ...(b.message ? { message: b.message } : {}),
      ...(b.changes ? { changes: b.changes } : {}), ...(b.pause === false ? { pause: false } : {}),
    });
    return { image: image.names[0] ?? image.digest, names: image.names, digest: image.digest, id: image.id };
  };
  const commitSchema = { summary: "Commit a unit's running container as a new image (templates baked in)", tags, params: UnitNameParams, body: CommitBody };
  app.post<{ Params: { name: string }; Body: Commit }>('/v1/units/:name/commit', { schema: commitSchema }, commit);
  app.post<{ Params: { name: string }; Body: Commit }>('/v1/containers/:name/commit', { schema: commitSchema }, commit);
}
