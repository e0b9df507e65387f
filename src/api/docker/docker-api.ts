/**
 * The Docker-compatible API: the subset of the Docker Engine API (v1.41)
 * the stock `docker` CLI needs for version, info, ps, run, start, stop,
 * kill, rm, pause, unpause, top, logs, inspect, images, rmi and events,
 * served on its own unix socket (docker.sock beside berth.sock). Anything
 * else is a 501 that names the endpoint.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { BerthError } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { ApiContext } from '../api-context.js';
import { attachUpgraded, registerDockerContainers } from './containers.js';
import { registerDockerImages } from './images.js';
import { DOCKER_API_VERSION, registerDockerSystem } from './system.js';

const STATUS: Record<string, number> = {
  E_UNIT_NOT_FOUND: 404, E_IMAGE_NOT_FOUND: 404, E_NOT_FOUND: 404,
  E_CONFLICT: 409, E_NOT_RUNNING: 409, E_PORT_TAKEN: 409, E_AMBIGUOUS: 409,
  E_START_FAILED: 500, E_NOT_IMPLEMENTED: 501,
};

/** The HTTP status Docker clients expect for a berth error. */
export function dockerStatus(err: unknown): number {
  if (err instanceof BerthError) return STATUS[err.code] ?? (err.code.startsWith('E_IMAGE') || err.code.startsWith('E_ISOLATION') ? 500 : 400);
  const status = (err as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 ? status : 500;
}

/** Strips Docker's version prefix (/v1.41/containers/json → /containers/json). */
export function stripVersion(url: string): string {
  return url.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

/** Builds the Docker-compatible app (not listening yet). */
export async function buildDockerApi(ctx: ApiContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, rewriteUrl: (req) => stripVersion(req.url ?? '/') });
  // the docker CLI sends `Content-Type: application/json` with empty bodies (start, stop…)
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body ? JSON.parse(body as string) : {});
    } catch (err) {
      done(new BerthError('E_BAD_REQUEST', `invalid JSON body: ${(err as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('api-version', DOCKER_API_VERSION);
    reply.header('docker-experimental', 'false');
    reply.header('ostype', 'linux');
    reply.header('server', `berth/${VERSION}`);
  });
  app.setErrorHandler((err, _req, reply) => {
    ctx.log(`docker api: ${_req.method} ${_req.url}: ${(err as Error).message}`);
    void reply.status(dockerStatus(err)).send({ message: (err as Error).message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(501).send({ message: `berth does not implement ${req.method} ${stripVersion(req.url.split('?')[0] ?? '')}` });
  });
  // the docker CLI parses error bodies only under exactly `application/json` (fastify adds a charset)
  app.addHook('onSend', async (_req, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) reply.header('content-type', 'application/json');
    return payload;
  });
  // `docker inspect NAME` looks for a network, a volume and a plugin after a container and an image: berth has none of those
  app.get<{ Params: { id: string } }>('/networks/:id', async (req, reply) => reply.status(404).send({ message: `No such network: ${req.params.id}` }));
  app.get<{ Params: { id: string } }>('/volumes/:id', async (req, reply) => reply.status(404).send({ message: `No such volume: ${req.params.id}` }));
  app.get<{ Params: { id: string } }>('/plugins/:id/json', async (req, reply) => reply.status(404).send({ message: `No such plugin: ${req.params.id}` }));
  registerDockerSystem(app, ctx);
  registerDockerContainers(app, ctx);
  registerDockerImages(app, ctx);
  // an upgrade request never reaches the router: Node hands the socket over here
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const url = new URL(stripVersion(req.url ?? '/'), 'http://docker');
    const m = /^\/containers\/([^/]+)\/attach$/.exec(url.pathname);
    if (req.method === 'POST' && m) return attachUpgraded(ctx.agent, decodeURIComponent(m[1]!), url.searchParams, socket);
    const body = JSON.stringify({ message: `berth does not implement ${req.method} ${url.pathname} with an upgrade` });
    socket.end(`HTTP/1.1 501 Not Implemented\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  await app.ready();
  return app;
}
