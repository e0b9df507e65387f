/**
 * `containerSpec`: a `berth run`/`create` request (or a Docker create body,
 * translated) → the UnitSpec of an ad-hoc unit. The request is written as a
 * unit file and checked by the config layer, so flags get the same
 * validation and messages as unit files; errors name the flag.
 */
import { BerthError, ConfigError } from '../../errors.js';
import { validateUnitTexts } from '../../config/validate-unit-texts.js';
import type { UnitFile } from '../../config/unit-schema.js';
import type { UnitSpec } from '../../config/unit-spec.js';
import { containerId, CREATED_LABEL } from './container-name.js';

/** What a client asks for (the body of POST /v1/containers). */
export interface ContainerRequest {
  image: string;
  name?: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  /** [IP:]HOST:CONTAINER[/proto] */
  ports?: string[];
  /** SRC:DST[:ro]; SRC absolute = host path, else a named volume */
  volumes?: string[];
  memory?: string;
  cpus?: number;
  pids?: number;
  network?: string;
  restart?: string;
  workdir?: string;
  user?: string;
  /** a tiny init as PID 1 */
  init?: boolean;
  labels?: Record<string, string>;
  rm?: boolean;
  start?: boolean;
}

/** What the agent already has that a new container must fit in with. */
export interface ContainerContext {
  /** names of network units */
  networks: string[];
  now: number;
}

const FLAGS: [string, string][] = [
  ['resources.memory', '--memory'], ['resources.cpus', '--cpus'], ['resources.pids', '--pids'],
  ['network.ports', '--publish'], ['network.attach', '--network'], ['volumes', '--volume'],
  ['run.env', '--env'], ['run.command', 'command'], ['run.workdir', '--workdir'], ['run.user', '--user'],
  ['restart', '--restart'], ['name', '--name'], ['image', 'image'], ['labels', '--label'],
];

/** The flag a unit-file key path came from. */
export function flagOf(path: string): string {
  return FLAGS.find(([p]) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))?.[1] ?? path;
}

/** Parses `SRC:DST[:ro|rw]` into a unit-file volume mount. */
export function parseVolumeFlag(text: string): NonNullable<UnitFile['volumes']>[number] {
  const parts = text.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1] || (mode && mode !== 'ro' && mode !== 'rw')) {
    throw new BerthError('E_BAD_VOLUME', `--volume ${text}: expected SRC:DST[:ro]`, { hint: 'e.g. -v /srv/data:/data:ro or -v cache:/var/cache' });
  }
  const [src, path] = parts as [string, string];
  return { ...(src.startsWith('/') ? { host: src } : { name: src }), path, ...(mode === 'ro' ? { readonly: true } : {}) };
}

/** The unit file a request stands for. */
export function containerUnitFile(req: ContainerRequest, name: string, now: number): UnitFile {
  const run: NonNullable<UnitFile['run']> = {};
  if (req.command?.length) run.command = req.command;
  if (req.entrypoint?.length) run.entrypoint = req.entrypoint;
  if (req.env && Object.keys(req.env).length) run.env = req.env;
  if (req.workdir) run.workdir = req.workdir;
  if (req.user) run.user = req.user;
  if (req.init) run.init = true;
  const resources: NonNullable<UnitFile['resources']> = {};
  if (req.memory !== undefined) resources.memory = req.memory;
  if (req.cpus !== undefined) resources.cpus = req.cpus;
  if (req.pids !== undefined) resources.pids = req.pids;
  const id = containerId({ name, labels: { [CREATED_LABEL]: String(now) } });
  return {
    name,
    kind: 'service',
    image: { from: req.image },
    ...(Object.keys(run).length ? { run } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    network: { hostname: id.slice(0, 12), ...(req.network ? { attach: req.network === 'none' ? [] : [req.network] } : {}), ...(req.ports?.length ? { ports: req.ports } : {}) },
    ...(req.volumes?.length ? { volumes: req.volumes.map(parseVolumeFlag) } : {}),
    restart: { policy: (req.restart ?? 'no') as 'no' },
    labels: { ...req.labels, [CREATED_LABEL]: String(now) },
  };
}

/** Validates a request as a unit file; throws one BerthError naming the flag(s) at fault. */
export function containerSpec(req: ContainerRequest, name: string, ctx: ContainerContext): UnitSpec {
  if (!req.image) throw new BerthError('E_NO_IMAGE', 'no image given', { hint: 'berth run [FLAGS] IMAGE [COMMAND...], e.g. berth run busybox echo hi' });
  const file = `/run/berth/containers/${name}.yaml`;
  const unit = containerUnitFile(req, name, ctx.now);
  const networks = ctx.networks.filter((n) => n !== name).map((n) => ({ file: `/run/berth/networks/${n}.yaml`, text: JSON.stringify({ name: n, kind: 'network' }) }));
  const { units, errors } = validateUnitTexts([{ file, text: JSON.stringify(unit) }, ...networks]);
  const mine = errors.filter((e) => e.file === file);
  if (mine.length || !units.length) {
    const list = (mine.length ? mine : errors).map((e) => (e instanceof ConfigError && e.path ? `${flagOf(e.path)}: ${e.message}` : e.message));
    const first = mine[0] ?? errors[0];
    throw Object.assign(new BerthError(first?.code ?? 'E_BAD_REQUEST', list.join('; '), first?.hint ? { hint: first.hint } : {}), { status: 400 });
  }
  return units.find((u) => u.name === name)!;
}
