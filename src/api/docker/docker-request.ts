/**
 * A Docker `POST /containers/create` body → berth's ContainerRequest.
 * Only what berth can honour is translated; `--network host` and the like
 * are refused with a clear message rather than silently ignored.
 */
import { BerthError } from '../../errors.js';
import type { ContainerRequest } from '../containers/container-spec.js';

/** The parts of Docker's ContainerConfig + HostConfig berth reads. */
export interface DockerCreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  Labels?: Record<string, string> | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  HostConfig?: {
    AutoRemove?: boolean;
    Init?: boolean | null;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Binds?: string[] | null;
    Memory?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    NetworkMode?: string;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  };
}

const list = (v: string[] | string | null | undefined) => (v == null ? undefined : typeof v === 'string' ? ['/bin/sh', '-c', v] : v);

/** Translates a Docker create body (and ?name=) into a container request (not started). */
export function fromDockerCreate(body: DockerCreateBody, name: string | undefined): ContainerRequest {
  if (!body.Image) throw new BerthError('E_BAD_REQUEST', 'no image given');
  if (body.Tty) throw new BerthError('E_BAD_REQUEST', 'berth does not support a TTY (-t); run without -t');
  const hc = body.HostConfig ?? {};
  const mode = hc.NetworkMode;
  if (mode === 'host' || mode?.startsWith('container:')) throw new BerthError('E_BAD_REQUEST', `berth does not support --network ${mode}`);
  const env = Object.fromEntries((body.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=') < 0 ? kv.length : kv.indexOf('=')), kv.indexOf('=') < 0 ? '' : kv.slice(kv.indexOf('=') + 1)]));
  const ports = Object.entries(hc.PortBindings ?? {}).flatMap(([key, binds]) => {
    const [port, proto = 'tcp'] = key.split('/');
    return (binds ?? []).map((b) => `${b.HostIp ? `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:` : ''}${b.HostPort || port}:${port}/${proto}`);
  });
  const cmd = list(body.Cmd);
  const entrypoint = list(body.Entrypoint);
  const restart = hc.RestartPolicy?.Name;
  return {
    image: body.Image,
    start: false,
    ...(name ? { name: name.replace(/^\//, '') } : {}),
    ...(cmd?.length ? { command: cmd } : {}),
    ...(entrypoint?.length ? { entrypoint } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(body.Labels && Object.keys(body.Labels).length ? { labels: body.Labels } : {}),
    ...(body.WorkingDir ? { workdir: body.WorkingDir } : {}),
    ...(body.User ? { user: body.User } : {}),
    ...(hc.Init ? { init: true } : {}),
    ...(ports.length ? { ports } : {}),
    ...(hc.Binds?.length ? { volumes: hc.Binds } : {}),
    ...(hc.Memory ? { memory: String(hc.Memory) } : {}),
    ...(hc.NanoCpus ? { cpus: hc.NanoCpus / 1e9 } : {}),
    ...(hc.PidsLimit && hc.PidsLimit > 0 ? { pids: hc.PidsLimit } : {}),
    ...(mode && mode !== 'default' && mode !== 'bridge' ? { network: mode } : {}),
    ...(restart ? { restart } : {}),
    ...(hc.AutoRemove ? { rm: true } : {}),
  };
}
