/**
 * Docker Engine API: /containers/… — list, create, inspect, start, stop,
 * restart, kill, pause, unpause, wait, remove, top, logs and attach, over
 * berth's ad-hoc units.
 */
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Agent } from '../../supervisor/agent.js';
import { BerthError } from '../../errors.js';
import { isLive } from '../../supervisor/state.js';
import type { UnitSupervisor } from '../../supervisor/unit-supervisor.js';
import type { ApiContext } from '../api-context.js';
import { containerId } from '../containers/container-name.js';
import { createContainer } from '../containers/create-container.js';
import { signalName } from '../routes/containers.js';
import { containerInspect, containerRow, dockerState } from './docker-views.js';
import { fromDockerCreate, type DockerCreateBody } from './docker-request.js';
import { findContainer } from './lookup.js';
import { streamUnitOutput } from './unit-output.js';
import { waitForContainer } from './wait.js';

type Id = { Params: { id: string } };
type Q = Record<string, string | undefined>;
const truthy = (v: string | undefined) => v === '1' || v === 'true';

/** Parses Docker's `filters` query ({"name":["x"],"status":["exited"]} or the old {"name":{"x":true}}). */
function parseFilters(text: string | undefined): Record<string, string[]> {
  if (!text) return {};
  const raw = JSON.parse(text) as Record<string, string[] | Record<string, boolean>>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v : Object.keys(v)]));
}

/** Registers the /containers routes. */
export function registerDockerContainers(app: FastifyInstance, ctx: ApiContext): void {
  const agent = ctx.agent;
  const view = (sup: UnitSupervisor) => agent.list().find((u) => u.name === sup.name)!;

  app.get<{ Querystring: Q }>('/containers/json', async (req) => {
    const now = Date.now();
    const f = parseFilters(req.query.filters);
    let rows = agent.list().map((v) => ({ v, spec: agent.get(v.name).spec }));
    if (!truthy(req.query.all) && !f.status) rows = rows.filter(({ v }) => dockerState(v.state) === 'running' || dockerState(v.state) === 'paused' || dockerState(v.state) === 'restarting');
    if (f.name) rows = rows.filter(({ v }) => f.name!.some((n) => v.name.includes(n.replace(/^\//, ''))));
    if (f.id) rows = rows.filter(({ spec }) => f.id!.some((i) => containerId(spec).startsWith(i)));
    if (f.status) rows = rows.filter(({ v }) => f.status!.includes(dockerState(v.state)));
    if (f.label) rows = rows.filter(({ spec }) => f.label!.every((l) => (l.includes('=') ? spec.labels[l.split('=')[0]!] === l.slice(l.indexOf('=') + 1) : l in spec.labels)));
    const limit = Number(req.query.limit ?? -1);
    return (limit > 0 ? rows.slice(0, limit) : rows).map(({ v, spec }) => containerRow(v, spec, now));
  });

  app.post<{ Querystring: Q; Body: DockerCreateBody }>('/containers/create', async (req, reply) => {
    const v = await createContainer(agent, fromDockerCreate(req.body ?? {}, req.query.name));
    return reply.status(201).send({ Id: containerId(agent.get(v.name).spec), Warnings: [] });
  });

  app.get<Id>('/containers/:id/json', async (req) => {
    const sup = findContainer(agent, req.params.id);
    const status = await agent.inspectInstance(sup.name);
    return containerInspect(view(sup), sup.spec, status?.addresses ?? {});
  });

  app.post<Id>('/containers/:id/start', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    if (isLive(sup.state)) return reply.status(304).send();
    await agent.start(sup.name);
    await sup.start('manual');
    if (!sup.handle && sup.lastExit?.reason?.startsWith('failed to start')) throw new BerthError('E_START_FAILED', sup.lastExit.reason);
    return reply.status(204).send();
  });

  app.post<Id>('/containers/:id/stop', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    if (!isLive(sup.state) && sup.state !== 'starting') return reply.status(304).send();
    await sup.stop('manual', true);
    return reply.status(204).send();
  });

  app.post<Id>('/containers/:id/restart', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    if (isLive(sup.state)) await sup.restart('manual');
    else {
      await agent.start(sup.name);
      await sup.start('manual');
    }
    return reply.status(204).send();
  });

  app.post<Id & { Querystring: Q }>('/containers/:id/kill', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    if (!sup.handle) throw new BerthError('E_NOT_RUNNING', `Container ${req.params.id} is not running`);
    const signal = signalName(req.query.signal || 'KILL');
    await agent.kill(sup.name, signal);
    // like dockerd, a SIGKILL is done when the container is dead (so a `docker ps` right after shows it exited)
    for (let i = 0; signal === 'SIGKILL' && sup.handle && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
    return reply.status(204).send();
  });

  for (const action of ['pause', 'unpause'] as const) {
    app.post<Id>(`/containers/:id/${action}`, async (req, reply) => {
      const sup = findContainer(agent, req.params.id);
      await (action === 'pause' ? sup.pause() : sup.unpause());
      return reply.status(204).send();
    });
  }

  app.post<Id & { Querystring: Q }>('/containers/:id/wait', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    // the docker CLI starts the container only once the wait is acknowledged: send the head now, the body at the exit
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json', 'api-version': '1.41' });
    reply.raw.flushHeaders();
    const result = await waitForContainer(agent, sup, (req.query.condition ?? 'not-running') as 'not-running', req.raw);
    reply.raw.end(`${JSON.stringify(result)}\n`);
    return reply;
  });

  app.delete<Id & { Querystring: Q }>('/containers/:id', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    if ((isLive(sup.state) || sup.state === 'starting') && !truthy(req.query.force)) {
      throw new BerthError('E_CONFLICT', `cannot remove container "/${sup.name}": container is ${dockerState(sup.state)}: stop the container before removing or force remove`);
    }
    await agent.removeUnit(sup.name, { force: true });
    return reply.status(204).send();
  });

  app.get<Id>('/containers/:id/top', async (req) => {
    const sup = findContainer(agent, req.params.id);
    if (!sup.handle) throw new BerthError('E_NOT_RUNNING', `container ${req.params.id} is not running`);
    const procs = await agent.top(sup.name);
    return { Titles: ['UID', 'PID', 'PPID', 'CMD'], Processes: procs.map((p) => [p.user, String(p.pid), String(p.ppid), p.command]) };
  });

  app.get<Id & { Querystring: Q }>('/containers/:id/logs', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    const q = req.query;
    const tail = q.tail && q.tail !== 'all' ? Number(q.tail) : undefined;
    const since = Number(q.since ?? 0);
    return pipeOutput(reply, (write, end) =>
      streamUnitOutput(agent, sup.name, {
        history: true, follow: truthy(q.follow), timestamps: truthy(q.timestamps), stdout: truthy(q.stdout), stderr: truthy(q.stderr),
        ...(tail !== undefined && Number.isFinite(tail) ? { tail } : {}), ...(since > 0 ? { sinceMs: since * 1000 } : {}),
      }, write, end),
    );
  });

  app.post<Id & { Querystring: Q }>('/containers/:id/attach', async (req, reply) => {
    const sup = findContainer(agent, req.params.id);
    const q = req.query;
    return pipeOutput(reply, (write, end) =>
      streamUnitOutput(agent, sup.name, { history: truthy(q.logs), follow: truthy(q.stream), stdout: truthy(q.stdout), stderr: truthy(q.stderr) }, write, end),
    );
  });
}

/** Takes over the reply and streams stdcopy frames (logs, and attach without an upgrade). */
function pipeOutput(reply: FastifyReply, run: (write: (b: Buffer) => void, end: () => void) => () => void): FastifyReply {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream', 'api-version': '1.41' });
  res.flushHeaders();
  const cancel = run((b) => res.write(b), () => res.end());
  res.on('close', () => cancel());
  return reply;
}

/** The upgraded attach (`docker run` without -d): 101, then frames on the raw socket until the container exits. */
export function attachUpgraded(agent: Agent, ref: string, query: URLSearchParams, socket: Duplex): void {
  let sup: UnitSupervisor;
  try {
    sup = findContainer(agent, ref);
  } catch (err) {
    const body = JSON.stringify({ message: (err as Error).message });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return;
  }
  const on = (k: string) => truthy(query.get(k) ?? undefined);
  socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  // the client half-closes when it has no stdin to send; keep writing until the container exits
  socket.on('end', () => undefined);
  const cancel = streamUnitOutput(agent, sup.name, { history: on('logs'), follow: on('stream'), stdout: on('stdout'), stderr: on('stderr') }, (b) => socket.write(b), () => socket.end());
  socket.on('close', cancel);
  socket.on('error', cancel);
}
