/**
 * The flags `berth run` and `berth create` share, and their translation into
 * the body of POST /v1/containers. Values are passed on as written; the
 * agent validates them like unit-file values and names the flag at fault.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../errors.js';
import type { ContainerRequest } from '../api/containers/container-spec.js';

/** Parsed flags of run/create. */
export interface RunFlags {
  name?: string;
  env: string[];
  publish: string[];
  volume: string[];
  memory?: string;
  cpus?: string;
  pids?: string;
  network?: string;
  restart?: string;
  workdir?: string;
  user?: string;
  init?: boolean;
  entrypoint?: string;
  label: string[];
  rm?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds the shared flags to a command. */
export function addRunFlags(cmd: Command): Command {
  return cmd
    .argument('<image>', 'image, e.g. busybox')
    .argument('[command...]', 'command and arguments (default: the image\'s)')
    .option('--name <name>', 'unit name (default: a generated adjective_noun)')
    .option('-e, --env <K=V>', 'environment variable (repeatable)', collect, [])
    .option('-p, --publish <[IP:]HOST:CONTAINER>', 'publish a port (repeatable)', collect, [])
    .option('-v, --volume <SRC:DST[:ro]>', 'mount a host path (absolute or ./) or a named volume (repeatable)', collect, [])
    .option('-m, --memory <size>', 'memory limit, e.g. 64Mi')
    .option('--cpus <n>', 'CPU limit in cores, e.g. 0.5')
    .option('--pids <n>', 'maximum number of processes')
    .option('--network <net>', 'network to join (default: default; none for no network)')
    .option('--restart <policy>', 'no | on-failure | always | unless-stopped (default no)')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'user or uid[:gid] to run as')
    .option('--entrypoint <cmd>', 'replace the image entrypoint')
    .option('--init', 'run a tiny init (tini) as PID 1: forwards signals, reaps zombies')
    .option('-l, --label <K=V>', 'label (repeatable)', collect, [])
    .option('--rm', 'remove the unit when it ends')
    .passThroughOptions();
}

function keyValues(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) {
      // docker's `-e NAME` passes the caller's value through
      if (i < 0 && flag === '--env' && process.env[kv] !== undefined) out[kv] = process.env[kv]!;
      else throw new BerthError('E_USAGE', `${flag} ${kv}: expected KEY=VALUE`, { hint: `e.g. ${flag} MODE=prod` });
      continue;
    }
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new BerthError('E_USAGE', `${flag} ${text}: not a number`);
  return n;
}

/** The request body for image, command and flags; relative host paths become absolute here (the agent has another cwd). */
export function toContainerRequest(image: string, command: string[], f: RunFlags, start: boolean): ContainerRequest {
  const argv = command[0] === '--' ? command.slice(1) : command;
  const cpus = number(f.cpus, '--cpus');
  const pids = number(f.pids, '--pids');
  return {
    image,
    start,
    ...(f.name ? { name: f.name } : {}),
    ...(argv.length ? { command: argv } : {}),
    ...(f.entrypoint ? { entrypoint: [f.entrypoint] } : {}),
    ...(f.env.length ? { env: keyValues(f.env, '--env') } : {}),
    ...(f.label.length ? { labels: keyValues(f.label, '--label') } : {}),
    ...(f.publish.length ? { ports: f.publish } : {}),
    ...(f.volume.length ? { volumes: f.volume.map((v) => (v.startsWith('.') ? resolve(v.split(':')[0]!) + v.slice(v.split(':')[0]!.length) : v)) } : {}),
    ...(f.memory ? { memory: f.memory } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(pids !== undefined ? { pids } : {}),
    ...(f.network ? { network: f.network } : {}),
    ...(f.restart ? { restart: f.restart } : {}),
    ...(f.workdir ? { workdir: f.workdir } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.init ? { init: true } : {}),
    ...(f.rm ? { rm: true } : {}),
  };
}
