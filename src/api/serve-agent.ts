/**
 * `berth agent`: open the host agent, serve the API (unix socket, and TCP
 * with a token when asked) while it re-attaches to what runs, apply the unit folder and
 * keep applying it when it changes. SIGTERM/SIGINT end the agent and leave
 * services running (unless stopOnExit); SIGHUP re-applies the folder.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { formatError } from '../errors.js';
import { openHostAgent, hostSummary } from '../supervisor/host-agent.js';
import { SdNotifier } from '../systemd/sd-notify.js';
import { ApplyError } from '../supervisor/agent.js';
import type { BerthEvent } from '../supervisor/events.js';
import type { ApiContext } from './api-context.js';
import { ensureToken } from './auth.js';
import { buildApi, listenTcp, listenUnix, type RouteGroup } from './server.js';

export interface ServeAgentOptions {
  root: string;
  socket: string;
  unitsDir?: string;
  listen?: string[];
  tls?: { cert: string; key: string };
  stopOnExit?: boolean;
  watch?: boolean;
  secretsDir?: string;
  routes?: RouteGroup[];
  /** the Docker-compatible socket (default: docker.sock beside `socket`; false for none) */
  dockerSocket?: string | false;
  /** one line per event on stderr (default true) */
  logEvents?: boolean;
  /** opens the agent's parts (default openHostAgent; tests pass one on the fake driver) */
  openHost?: typeof openHostAgent;
}

/** One human line for an event, as the agent's own log shows it. */
export function eventLine(e: BerthEvent): string {
  const { seq, time, type, ...rest } = e as BerthEvent & Record<string, unknown>;
  const unit = typeof rest.unit === 'string' ? ` ${rest.unit}` : '';
  delete rest.unit;
  const detail = Object.entries(rest)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${new Date(time).toISOString()} #${seq} ${type}${unit}${detail ? ` ${detail}` : ''}`;
}

/** Runs the agent until a signal ends it. Resolves with the exit code. */
export async function serveAgent(opts: ServeAgentOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const host = await (opts.openHost ?? openHostAgent)({ root: opts.root, ...(opts.secretsDir ? { secretsDir: opts.secretsDir } : {}) });
  const { agent } = host;
  if (opts.logEvents !== false) agent.ledger.subscribe((e) => log(eventLine(e)));
  const startedAt = Date.now();
  const listening: string[] = [];
  const unitsDir = opts.unitsDir ? resolve(opts.unitsDir) : undefined;
  const ctx: ApiContext = {
    agent,
    images: host.imageService,
    log,
    uploadDir: (hash) => join(opts.root, 'uploads', hash),
    async info() {
      const iso = await host.isolations();
      return {
        ...hostSummary(),
        pid: process.pid,
        startedAt,
        root: opts.root,
        ...(unitsDir ? { unitsDir } : {}),
        isolations: Object.fromEntries(Object.entries(iso).map(([k, v]) => [k, { ok: v.ok, detail: v.detail }])),
        cgroup: host.cgroupMode(),
        listen: listening,
      };
    },
  };

  // the sockets answer while the agent recovers: stored units are listed as "recovering" until
  // re-attached; applies and unit operations wait for recovery (Agent.recover registers them at once)
  const recovering = agent.recover();
  recovering.catch(() => undefined); // awaited after listening; this only keeps an early failure from counting as unhandled
  void host.isolations(); // probe the drivers now, so the first /v1/info and apply find the answer ready

  const apps: FastifyInstance[] = [];
  const unixApp = await buildApi(ctx, { routes: opts.routes ?? [] });
  await listenUnix(unixApp, opts.socket);
  apps.push(unixApp);
  listening.push(`unix://${opts.socket}`);
  if (opts.dockerSocket !== false) {
    const path = opts.dockerSocket ?? join(dirname(opts.socket), 'docker.sock');
    const { buildDockerApi } = await import('./docker/docker-api.js');
    const dockerApp = await buildDockerApi(ctx);
    await listenUnix(dockerApp, path);
    apps.push(dockerApp);
    listening.push(`docker+unix://${path}`);
  }
  for (const url of opts.listen ?? []) {
    const token = ensureToken(opts.root);
    const app = await buildApi(ctx, { token, ...(opts.tls ? { tls: opts.tls } : {}), routes: opts.routes ?? [] });
    await listenTcp(app, url);
    apps.push(app);
    listening.push(`${opts.tls ? 'https' : 'tcp'}://${url.replace(/^tcp:\/\//, '')}`);
  }
  log(`berth agent ${hostSummary().version}: pid ${process.pid}, root ${opts.root}, listening on ${listening.join(', ')}; recovering`);
  const recovered = await recovering;
  agent.ledger.append({ type: 'agent.started', version: hostSummary().version, pid: process.pid, recovered });
  log(`recovered: re-attached ${recovered} instance(s)`);

  const applyFolder = async (why: string) => {
    if (!unitsDir) return;
    try {
      const r = await agent.apply(unitsDir, { respectStops: true });
      log(`apply (${why}): ${r.plan.actions.filter((a) => a.kind !== 'none').length} change(s)`);
    } catch (err) {
      log(`apply (${why}) failed; running services are unchanged:`);
      const list = err instanceof ApplyError ? err.errors : [err];
      for (const e of list) log(`  ${formatError(e).replace(/\n/g, '\n  ')}`);
    }
  };
  await applyFolder('start');
  // run by systemd as Type=notify: ready after the first reconcile, then watchdog pings with a one-line status
  const notifier = SdNotifier.fromEnv();
  const summary = () => {
    const units = agent.list();
    const up = units.filter((u) => ['running', 'healthy'].includes(u.state)).length;
    const bad = units.filter((u) => ['failed', 'crash-looping', 'backing-off', 'unhealthy'].includes(u.state)).length;
    return `${units.length} units: ${up} running, ${bad} failing`;
  };
  notifier?.ready(summary());
  notifier?.startWatchdog(summary);

  let watcher: FSWatcher | undefined;
  if (unitsDir && opts.watch !== false) {
    let timer: NodeJS.Timeout | undefined;
    try {
      watcher = watch(unitsDir, { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void applyFolder('files changed'), 500);
      });
    } catch (err) {
      log(`cannot watch ${unitsDir} (${(err as Error).message}); send SIGHUP to re-apply`);
    }
  }

  return new Promise<number>((resolveExit) => {
    let ending = false;
    const end = async (signal: string) => {
      if (ending) return;
      ending = true;
      log(`${signal}: agent stopping${opts.stopOnExit ? ' and stopping every unit' : '; units keep running'}`);
      notifier?.stopping(`stopping (${signal})`);
      watcher?.close();
      for (const app of apps) await app.close().catch(() => undefined);
      await host.close(opts.stopOnExit ?? false).catch((e: unknown) => log(formatError(e)));
      notifier?.close();
      resolveExit(0);
    };
    process.on('SIGTERM', () => void end('SIGTERM'));
    process.on('SIGINT', () => void end('SIGINT'));
    process.on('SIGHUP', () => void applyFolder('SIGHUP'));
  });
}
