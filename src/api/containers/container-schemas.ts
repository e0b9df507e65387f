/**
 * TypeBox schemas of the container routes (validation and OpenAPI from the
 * same source).
 */
import { Type } from '@sinclair/typebox';

const Name = Type.String({ pattern: '^[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?$', description: 'unit name (default: a generated adjective_noun)' });

export const ContainerCreateBody = Type.Object(
  {
    image: Type.String({ minLength: 1, description: 'image reference, e.g. busybox' }),
    name: Type.Optional(Name),
    command: Type.Optional(Type.Array(Type.String(), { description: 'argv; default: the image command' })),
    entrypoint: Type.Optional(Type.Array(Type.String())),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    ports: Type.Optional(Type.Array(Type.String(), { description: '[IP:]HOST:CONTAINER[/tcp|udp]' })),
    volumes: Type.Optional(Type.Array(Type.String(), { description: 'SRC:DST[:ro]; an absolute SRC is a host path, else a named volume' })),
    memory: Type.Optional(Type.String({ description: 'memory limit, e.g. 64Mi' })),
    cpus: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    pids: Type.Optional(Type.Integer({ minimum: 1 })),
    network: Type.Optional(Type.String({ description: 'network unit to join (default: default; none for no network)' })),
    restart: Type.Optional(Type.String({ description: 'no | on-failure | always | unless-stopped (default no)' })),
    workdir: Type.Optional(Type.String()),
    user: Type.Optional(Type.String()),
    init: Type.Optional(Type.Boolean({ description: 'a tiny init (tini) as PID 1 (docker run --init)' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    rm: Type.Optional(Type.Boolean({ description: 'remove the unit when it ends' })),
    start: Type.Optional(Type.Boolean({ description: 'start it now (default true)' })),
  },
  { additionalProperties: false },
);

export const KillBody = Type.Object({ signal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9+-]+$|^[0-9]+$', description: 'default SIGKILL' })) }, { additionalProperties: false });

export const RemoveQuery = Type.Object({ force: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('1'), Type.Literal('0')], { description: 'stop it first when it runs (true or 1)' })) });
