/**
 * Docker Engine API: /_ping, /version, /info and /events over the agent.
 */
import { cpus, totalmem } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { VERSION } from '../../version.js';
import { dockerEvent, dockerState } from './docker-views.js';

/** The Docker API version berth speaks. */
export const DOCKER_API_VERSION = '1.41';

/** Docker's `since`/`until`: unix seconds (fractional allowed) or an RFC 3339 time → epoch ms. */
export function dockerTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text) * 1000);
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** Registers the system routes. */
export function registerDockerSystem(app: FastifyInstance, ctx: ApiContext): void {
  const ping = async (_req: unknown, reply: { header(k: string, v: string): unknown; type(t: string): unknown; send(b: string): unknown }) => {
    reply.header('cache-control', 'no-cache, no-store, must-revalidate');
    reply.type('text/plain; charset=utf-8');
    return reply.send('OK');
  };
  app.get('/_ping', ping); // fastify answers HEAD /_ping from the GET route

  app.get('/version', async () => {
    const info = await ctx.info();
    const common = { Version: VERSION, ApiVersion: DOCKER_API_VERSION, MinAPIVersion: '1.24', Os: 'linux', Arch: process.arch === 'x64' ? 'amd64' : process.arch, KernelVersion: info.kernel, GitCommit: '', GoVersion: process.version, BuildTime: '' };
    return { ...common, Platform: { Name: 'berth' }, Components: [{ Name: 'Engine', Version: VERSION, Details: { ApiVersion: DOCKER_API_VERSION, MinAPIVersion: '1.24', Os: 'linux', Arch: common.Arch, KernelVersion: info.kernel, GoVersion: process.version, GitCommit: '', BuildTime: '', Experimental: 'false' } }] };
  });

  app.get('/info', async () => {
    const info = await ctx.info();
    const units = ctx.agent.list();
    const count = (s: string) => units.filter((u) => dockerState(u.state) === s).length;
    return {
      ID: info.hostname, Name: info.hostname, ServerVersion: VERSION, OperatingSystem: 'berth', OSType: 'linux', Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
      KernelVersion: info.kernel, NCPU: cpus().length, MemTotal: totalmem(), Driver: 'overlay', DockerRootDir: info.root, LoggingDriver: 'berth',
      CgroupDriver: 'cgroupfs', CgroupVersion: info.cgroup.startsWith('v2') ? '2' : '1',
      Containers: units.length, ContainersRunning: count('running'), ContainersPaused: count('paused'), ContainersStopped: count('exited') + count('created'),
      Images: 0, Plugins: { Volume: [], Network: ['cni'], Log: [] }, Warnings: [], SecurityOptions: ['name=seccomp,profile=default'],
      Labels: [], ExperimentalBuild: false, Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '' }, Runtimes: { crun: { path: 'crun' } }, DefaultRuntime: 'crun',
    };
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/events', async (req, reply) => {
    const since = dockerTime(req.query.since);
    const until = dockerTime(req.query.until);
    const ledger = ctx.agent.ledger;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/json', 'api-version': DOCKER_API_VERSION });
    res.flushHeaders();
    const send = (e: Parameters<typeof dockerEvent>[0]) => {
      if (until !== undefined && e.time > until) return;
      const msg = dockerEvent(e, ctx.agent.units.get((e as { unit?: string }).unit ?? '')?.spec);
      if (msg) res.write(`${JSON.stringify(msg)}\n`);
    };
    if (since !== undefined) ledger.tail(100_000).filter((e) => e.time >= since).forEach(send);
    const now = Date.now();
    if (until !== undefined && until <= now) return void res.end();
    const stop = ledger.follow(ledger.lastSeq, send);
    const timer = until !== undefined ? setTimeout(() => res.end(), until - now) : undefined;
    res.on('close', () => {
      stop();
      clearTimeout(timer);
    });
  });
}
