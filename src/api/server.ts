/**
 * The agent's HTTP/1.1 JSON API (fastify). One app per listener: the unix
 * socket (mode 0660, root) trusts its peers as the file mode says; a TCP
 * listener exists only with a bearer token, optionally with TLS.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { BerthError } from '../errors.js';
import { VERSION } from '../version.js';
import type { ApiContext } from './api-context.js';
import { checkBearer } from './auth.js';
import { replyWithError } from './error-reply.js';
import { registerApplyRoutes } from './routes/apply.js';
import { registerEventRoutes } from './routes/events.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerUnitRoutes } from './routes/units.js';
import { ErrorSchema } from './schemas.js';

/** Extra route groups (containers, images, docker compat…) plug in here. */
export type RouteGroup = (app: FastifyInstance, ctx: ApiContext) => void;

export interface BuildApiOptions {
  /** require this bearer token on every request */
  token?: string;
  tls?: { cert: string; key: string };
  routes?: RouteGroup[];
}

/** The E_ code for an error body that came without one. */
function codeOfStatus(status: number): string {
  return ({ 400: 'E_BAD_REQUEST', 401: 'E_UNAUTHORIZED', 404: 'E_NOT_FOUND', 409: 'E_CONFLICT', 501: 'E_NOT_IMPLEMENTED' } as Record<number, string>)[status] ?? (status < 500 ? 'E_BAD_REQUEST' : 'E_INTERNAL');
}

/** Apps built with a bearer token: the only ones listenTcp accepts. */
const guarded = new WeakSet<FastifyInstance>();

/** Builds the API app (not listening yet). */
export async function buildApi(ctx: ApiContext, options: BuildApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024 * 1024,
    ...(options.tls ? { https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) } } : {}),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });
  app.addSchema(ErrorSchema);
  // every documented route answers errors as {code, message, hint?}: say so once for all of them
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ??= {}) as { hide?: boolean; response?: Record<string, unknown> };
    if (schema.hide) return;
    const response = (schema.response ??= {});
    for (const range of ['4xx', '5xx']) response[range] ??= { description: 'an error: code from src/errors.ts, message, hint', $ref: 'Error#' };
  });
  // a route that sends its own error object still answers {code, message}: never a 500 for a missing field
  app.addHook('preSerialization', async (_req, reply, payload) => {
    if (reply.statusCode < 400 || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    const body = payload as Record<string, unknown>;
    if (typeof body.code === 'string' && typeof body.message === 'string') return payload;
    return { ...body, code: typeof body.code === 'string' ? body.code : codeOfStatus(reply.statusCode), message: String(body.message ?? body.error ?? `HTTP ${reply.statusCode}`) };
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'berth agent API', version: VERSION, description: 'Units, events, containers and images of one berth host.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // shared schemas keep their $id as their name in components (Error, UnitView, Event)
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.setErrorHandler(replyWithError);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'E_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}`, hint: 'see GET /v1/openapi.json' });
  });
  if (options.token) {
    const token = options.token;
    app.addHook('onRequest', async (req, reply) => {
      if (checkBearer(req.headers.authorization, token)) return;
      ctx.log(`api: 401 ${req.method} ${req.url} from ${req.ip} (${req.headers.authorization ? 'wrong token' : 'no token'})`);
      await reply.status(401).send({ code: 'E_UNAUTHORIZED', message: 'a valid bearer token is required', hint: 'pass --token or set BERTH_TOKEN (the agent keeps it in <root>/api-token)' });
    });
  }
  registerSystemRoutes(app, ctx);
  registerUnitRoutes(app, ctx);
  registerApplyRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  for (const group of options.routes ?? []) group(app, ctx);
  await app.ready();
  if (options.token) guarded.add(app);
  return app;
}

/** True when something answers on a unix socket (another agent). */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Listens on a unix socket (0660); a stale socket file is replaced, a live one is an error. */
export async function listenUnix(app: FastifyInstance, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (existsSync(path)) {
    if (await socketAlive(path)) {
      throw new BerthError('E_AGENT_RUNNING', `another agent already listens on ${path}`, { hint: 'stop it first, or give this one its own --root and --socket' });
    }
    unlinkSync(path);
  }
  await app.listen({ path });
  chmodSync(path, 0o660);
}

/** Listens on tcp://HOST:PORT; an app built without a token is refused (no open TCP listener, ever). */
export async function listenTcp(app: FastifyInstance, url: string): Promise<string> {
  if (!guarded.has(app)) throw new BerthError('E_NO_TOKEN', `refusing to serve ${url} without a bearer token`, { hint: 'build the API with a token (ensureToken(root))' });
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]+):(\d+)$/.exec(url);
  if (!m) throw new BerthError('E_BAD_LISTEN', `--listen must look like tcp://HOST:PORT (got ${url})`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return app.listen({ host, port: Number(m[2]) });
}
