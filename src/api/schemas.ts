/**
 * Request and response schemas of the API (TypeBox = JSON Schema). Fastify
 * validates requests with them and @fastify/swagger turns the same schemas
 * into /v1/openapi.json, so the document cannot drift from the code.
 */
import { Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'error code, E_…' }),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  { $id: 'Error', additionalProperties: true },
);

export const UnitNameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 63 }) });

export const UnitViewSchema = Type.Object(
  {
    name: Type.String(),
    kind: Type.String(),
    isolation: Type.String(),
    state: Type.String(),
    desired: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    instance: Type.Optional(Type.String()),
    pid: Type.Optional(Type.Integer()),
    startedAt: Type.Optional(Type.Number()),
    restarts: Type.Integer(),
    lastExit: Type.Optional(Type.Object({}, { additionalProperties: true })),
    timerAt: Type.Optional(Type.Number()),
    ports: Type.Array(Type.String()),
    image: Type.Optional(Type.String()),
  },
  { $id: 'UnitView', additionalProperties: true },
);

export const ApplyBody = Type.Object(
  {
    dir: Type.Optional(Type.String({ minLength: 1, description: 'a unit folder on the agent host' })),
    files: Type.Optional(
      Type.Array(Type.Object({ path: Type.String({ minLength: 1 }), content: Type.String(), mode: Type.Optional(Type.Integer()) }), {
        maxItems: 2000,
        description: 'a unit folder uploaded by a remote client (paths relative to the folder)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DownBody = Type.Object({ units: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false });

export const ExecBody = Type.Object(
  {
    argv: Type.Array(Type.String(), { minItems: 1 }),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    user: Type.Optional(Type.String()),
    workdir: Type.Optional(Type.String()),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
);

export const LogsQuery = Type.Object({
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  since: Type.Optional(Type.String({ description: 'RFC 3339 time or a duration ago (10m)' })),
  follow: Type.Optional(Type.Boolean()),
});

export const EventsQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'return events with seq greater than this' })),
  unit: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ description: 'comma-separated event types' })),
  follow: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});

export const UnitActions = ['start', 'stop', 'restart', 'reload', 'pause', 'unpause', 'reset'] as const;
export const UnitActionParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 63 }),
  action: Type.Union(UnitActions.map((a) => Type.Literal(a))),
});
