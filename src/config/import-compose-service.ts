/**
 * One compose service → one berth unit (as the unit file's plain object),
 * key by key. What cannot be mapped is reported as a warning naming the
 * compose key ("services.web.privileged: not supported, dropped").
 */
import { convertDuration, convertKeyValues, convertMount, convertPort, convertSize, rebase } from './import-compose-values.js';

/** Where the compose file and the unit files are, and how names were renamed. */
export interface ServiceContext {
  composeDir: string;
  outDir: string;
  /** compose name → unit name, for services, networks and volumes */
  unitName: (kind: 'service' | 'network' | 'volume', name: string) => string;
  warn: (message: string) => void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const CONDITIONS: Record<string, string> = { service_started: 'started', service_healthy: 'healthy', service_completed_successfully: 'completed' };
const RESTARTS: Record<string, string> = { no: 'no', always: 'always', 'unless-stopped': 'unless-stopped', 'on-failure': 'on-failure' };

/** The keys this converter maps; every other key is reported. */
const HANDLED = new Set(['image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'depends_on', 'restart', 'healthcheck',
  'networks', 'hostname', 'user', 'working_dir', 'mem_limit', 'cpus', 'pids_limit', 'deploy', 'stop_signal', 'stop_grace_period', 'labels', 'cap_add', 'cap_drop', 'read_only', 'init', 'container_name']);

const command = (v: unknown) => (Array.isArray(v) ? v.map(String) : String(v));

/** Converts the service `name` (compose key) into a unit object. */
export function convertService(name: string, svc: Obj, ctx: ServiceContext): Obj {
  const at = `services.${name}`;
  const drop = (key: string, why = 'not supported, dropped') => ctx.warn(`${at}.${key}: ${why}`);
  const unit: Obj = { name: ctx.unitName('service', name), kind: 'service' };
  const run: Obj = {};
  const resources: Obj = {};
  const network: Obj = {};
  for (const key of Object.keys(svc)) if (!HANDLED.has(key) && !key.startsWith('x-')) drop(key);

  const image: Obj = {};
  if (svc.image !== undefined && svc.build === undefined) image.from = String(svc.image);
  if (svc.image !== undefined && svc.build !== undefined) drop('image', `the tag ${String(svc.image)} for the built image is not kept (berth names a built image after its unit), dropped`);
  if (svc.build !== undefined) {
    const b = isObj(svc.build) ? svc.build : { context: svc.build };
    const context = String(b.context ?? '.');
    const dockerfile = String(b.dockerfile ?? 'Dockerfile');
    image.from ??= 'scratch';
    image.build = rebase(`${context}/${dockerfile}`, ctx.composeDir, ctx.outDir);
    image.context = rebase(context, ctx.composeDir, ctx.outDir);
    const args = convertKeyValues(b.args);
    if (Object.keys(args.map).length) image.args = args.map;
    for (const k of Object.keys(b)) if (!['context', 'dockerfile', 'args'].includes(k)) drop(`build.${k}`);
  }
  if (image.from === undefined) {
    drop('image', 'missing (neither image nor build): set image.from by hand');
    image.from = 'scratch';
  }
  unit.image = image;

  if (svc.command !== undefined) run.command = command(svc.command);
  if (svc.entrypoint !== undefined) run.entrypoint = command(svc.entrypoint);
  const env = convertKeyValues(svc.environment);
  if (Object.keys(env.map).length) run.env = env.map;
  for (const k of env.bare) drop(`environment.${k}`, 'takes its value from the shell running compose; not supported, set a value');
  if (svc.env_file !== undefined) {
    const files = (Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file]).map((f) => (isObj(f) ? String(f.path) : String(f)));
    run.env_file = files.map((f) => rebase(f, ctx.composeDir, ctx.outDir));
  }
  if (svc.user !== undefined) run.user = String(svc.user);
  if (svc.working_dir !== undefined) run.workdir = String(svc.working_dir);
  if (svc.read_only === true) run.readonly_rootfs = true;
  if (svc.init === true) run.init = true;
  if (Array.isArray(svc.cap_add)) run.cap_add = svc.cap_add.map(String);
  if (Array.isArray(svc.cap_drop)) run.cap_drop = svc.cap_drop.map(String);
  if (Object.keys(run).length) unit.run = run;

  const limits = isObj(svc.deploy) && isObj(svc.deploy.resources) && isObj(svc.deploy.resources.limits) ? svc.deploy.resources.limits : {};
  if (isObj(svc.deploy)) {
    for (const k of Object.keys(svc.deploy)) if (k !== 'resources') drop(`deploy.${k}`);
    if (isObj(svc.deploy.resources)) for (const k of Object.keys(svc.deploy.resources)) if (k !== 'limits') drop(`deploy.resources.${k}`);
  }
  const memory = svc.mem_limit ?? limits.memory;
  if (memory !== undefined) {
    const m = convertSize(memory);
    if ('ok' in m) resources.memory = m.ok;
    else drop('mem_limit', m.why);
  }
  const cpus = svc.cpus ?? limits.cpus;
  if (cpus !== undefined && Number(cpus) > 0) resources.cpus = Number(cpus);
  const pids = svc.pids_limit ?? limits.pids;
  if (pids !== undefined && Number(pids) > 0) resources.pids = Number(pids);
  if (Object.keys(resources).length) unit.resources = resources;

  if (svc.networks !== undefined) {
    const names = Array.isArray(svc.networks) ? svc.networks.map(String) : Object.keys(svc.networks as Obj);
    network.attach = names.map((n) => (n === 'default' ? 'default' : ctx.unitName('network', n)));
    if (isObj(svc.networks)) {
      for (const [n, opts] of Object.entries(svc.networks)) if (isObj(opts)) for (const k of Object.keys(opts)) drop(`networks.${n}.${k}`);
    }
  }
  if (Array.isArray(svc.ports)) {
    const ports: string[] = [];
    svc.ports.forEach((p, i) => {
      const c = convertPort(p);
      if ('ok' in c) ports.push(c.ok);
      else drop(`ports[${i}]`, `${c.why}, dropped`);
    });
    if (ports.length) network.ports = ports;
  }
  if (svc.hostname !== undefined) network.hostname = String(svc.hostname);
  if (Object.keys(network).length) unit.network = network;

  if (Array.isArray(svc.volumes)) {
    let anon = 0;
    const mounts: Obj[] = [];
    svc.volumes.forEach((v, i) => {
      const c = convertMount(v, ctx.composeDir, ctx.outDir, () => `${unit.name}-anon-${++anon}`);
      if ('why' in c) return drop(`volumes[${i}]`, `${c.why}, dropped`);
      if (c.note) ctx.warn(`${at}.volumes[${i}]: ${c.note}`);
      const m = c.ok as Obj;
      if (typeof m.name === 'string' && !m.name.includes('-anon-')) m.name = ctx.unitName('volume', m.name);
      mounts.push(m);
    });
    if (mounts.length) unit.volumes = mounts;
  }

  if (svc.restart !== undefined) {
    const [policy, max] = String(svc.restart).split(':');
    if (RESTARTS[policy!]) unit.restart = { policy: RESTARTS[policy!] };
    else drop('restart', `policy ${String(svc.restart)} not understood, dropped`);
    if (max) drop('restart', `the retry limit :${max} has no berth equivalent (see restart.burst), dropped`);
  }
  const health = convertHealth(svc.healthcheck, (k, why) => drop(`healthcheck.${k}`, why));
  if (health) unit.health = health;

  if (svc.depends_on !== undefined) {
    const after: Record<string, string> = {};
    if (Array.isArray(svc.depends_on)) for (const d of svc.depends_on) after[ctx.unitName('service', String(d))] = 'started';
    else if (isObj(svc.depends_on)) {
      for (const [d, o] of Object.entries(svc.depends_on)) {
        const cond = isObj(o) ? String(o.condition ?? 'service_started') : 'service_started';
        after[ctx.unitName('service', d)] = CONDITIONS[cond] ?? 'started';
        if (!CONDITIONS[cond]) drop(`depends_on.${d}.condition`, `${cond} not understood, used started`);
      }
    }
    if (Object.keys(after).length) unit.after = after;
  }

  const stop: Obj = {};
  if (svc.stop_signal !== undefined) stop.signal = String(svc.stop_signal);
  if (svc.stop_grace_period !== undefined) {
    const d = convertDuration(svc.stop_grace_period);
    if ('ok' in d) stop.timeout = d.ok;
    else drop('stop_grace_period', d.why);
  }
  if (Object.keys(stop).length) unit.stop = stop;
  const labels = convertKeyValues(svc.labels);
  if (Object.keys(labels.map).length) unit.labels = labels.map;
  if (svc.container_name !== undefined) drop('container_name', `dropped: the unit is named ${String(unit.name)}`);
  return unit;
}

/** A compose healthcheck as a berth health block (exec), or undefined when absent or disabled. */
export function convertHealth(hc: unknown, drop: (key: string, why: string) => void): Obj | undefined {
  if (!isObj(hc) || hc.disable === true) return undefined;
  const test = hc.test;
  let exec: string | string[] | undefined;
  if (typeof test === 'string') exec = test;
  else if (Array.isArray(test)) {
    const [head, ...rest] = test.map(String);
    if (head === 'NONE') return undefined;
    if (head === 'CMD') exec = rest;
    else if (head === 'CMD-SHELL') exec = rest.join(' ');
  }
  if (exec === undefined || exec.length === 0) {
    drop('test', 'missing or not understood, healthcheck dropped');
    return undefined;
  }
  const out: Obj = { exec };
  for (const [from, to] of [['interval', 'every'], ['timeout', 'timeout'], ['start_period', 'start_period']] as const) {
    if (hc[from] === undefined) continue;
    const d = convertDuration(hc[from]);
    if ('ok' in d) out[to] = d.ok;
    else drop(from, d.why);
  }
  if (hc.retries !== undefined && Number(hc.retries) >= 1) out.retries = Number(hc.retries);
  for (const k of Object.keys(hc)) if (!['test', 'interval', 'timeout', 'start_period', 'retries', 'disable'].includes(k)) drop(k, 'not supported, dropped');
  return out;
}
