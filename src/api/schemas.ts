/**
 * Request and response schemas of the API (TypeBox = JSON Schema). Fastify
 * validates requests with them and @fastify/swagger turns the same schemas
 * into /v1/openapi.json, so the document cannot drift from the code.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** Every error answer: a code from src/errors.ts, a message, maybe a hint and the field at fault. */
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

/** `:name` of a unit route. */
export const UnitNameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 63 }) });

/** `POST /v1/plan` and `/v1/apply`: a folder on the agent host, or one uploaded. */
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

/** `POST /v1/down`: some units, or all. */
export const DownBody = Type.Object({ units: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false });

/** `POST /v1/units/:name/exec`. */
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

/** `GET /v1/units/:name/logs` query. */
export const LogsQuery = Type.Object({
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  since: Type.Optional(Type.String({ description: 'RFC 3339 time or a duration ago (10m)' })),
  follow: Type.Optional(Type.Boolean()),
});

/** `GET /v1/events` query. */
export const EventsQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'return events with seq greater than this' })),
  unit: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ description: 'comma-separated event types' })),
  follow: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});

/** The verbs of `POST /v1/units/:name/:action`. */
export const UnitActions = ['start', 'stop', 'restart', 'reload', 'pause', 'unpause', 'reset'] as const;
/** `:name` and `:action` of a unit action. */
export const UnitActionParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 63 }),
  // an enum (not a union of literals) so a 400 can list the allowed values
  action: Type.Unsafe<(typeof UnitActions)[number]>({ type: 'string', enum: [...UnitActions] }),
});

// ---- response schemas: the same objects the CLI's --json prints (test/api checks both) ----

const Epoch = (description: string) => Type.Number({ description: `${description} (epoch ms)` });
const Loose = (description: string) => Type.Object({}, { additionalProperties: true, description });

/** How the last instance ended. */
export const ExitSchema = Type.Object(
  {
    code: Type.Union([Type.Integer(), Type.Null()]),
    signal: Type.Union([Type.String(), Type.Null()]),
    oomKilled: Type.Boolean(),
    finishedAt: Epoch('when it ended'),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const unitViewProps = {
  name: Type.String(),
  kind: Type.String({ description: 'service | job | network | volume | …' }),
  isolation: Type.String({ description: 'container | vm | process | systemd' }),
  state: Type.String({ description: 'running, exited, failed, crash-looping, …' }),
  desired: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  instance: Type.Optional(Type.String()),
  pid: Type.Optional(Type.Integer()),
  startedAt: Type.Optional(Epoch('when the current instance started')),
  restarts: Type.Integer(),
  lastExit: Type.Optional(ExitSchema),
  timerAt: Type.Optional(Epoch('next timer (back-off, restart)')),
  ports: Type.Array(Type.String()),
  image: Type.Optional(Type.String()),
  nextRun: Type.Optional(Epoch('jobs: next scheduled run')),
  health: Type.Optional(Type.String()),
  subnet: Type.Optional(Type.String()),
};

/** One row of `GET /v1/units` and of `berth ps --json`. */
export const UnitViewSchema = Type.Object(unitViewProps, { $id: 'UnitView', additionalProperties: true });

/** `GET /v1/units/:name` and each element of `berth inspect`: the row plus spec, files and observed status. */
export const UnitDetailSchema = Type.Object(
  {
    ...unitViewProps,
    spec: Loose('the normalised unit spec (see src/config/unit-spec.ts)'),
    files: Type.Optional(Type.Unknown({ description: 'rendered files and their hashes' })),
    status: Type.Optional(Loose('what the driver observes now (usage, pid, …)')),
  },
  { additionalProperties: true },
);

/** One ledger event; the fields beyond seq/time/type depend on the type. */
export const EventSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'ledger sequence number: strictly increasing, kept across restarts' }),
    time: Epoch('when it happened'),
    type: Type.String({ description: 'unit.started, unit.exited, apply.finished, …' }),
    unit: Type.Optional(Type.String()),
  },
  { $id: 'Event', additionalProperties: true },
);

/** One log line (`GET /v1/units/:name/logs`, `berth logs --json`). */
export const LogLineSchema = Type.Object(
  {
    time: Type.String({ description: 'RFC 3339' }),
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    text: Type.String(),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** One process of a unit (`GET /v1/units/:name/top`). */
export const ProcessInfoSchema = Type.Object(
  {
    pid: Type.Integer(),
    ppid: Type.Integer(),
    user: Type.String(),
    cpuPercent: Type.Optional(Type.Number()),
    rssBytes: Type.Optional(Type.Integer()),
    command: Type.String(),
  },
  { additionalProperties: true },
);

/** What a command run inside a unit ended with, and its output. */
export const ExecResultSchema = Type.Object({
  code: Type.Union([Type.Integer(), Type.Null()]),
  signal: Type.Union([Type.String(), Type.Null()]),
  stdout: Type.String(),
  stderr: Type.String(),
});

/** `GET /v1/units/:name/why`. */
export const WhySchema = Type.Object({ unit: Type.String(), why: Type.String() });
/** `GET /v1/health`. */
export const HealthSchema = Type.Object({ ok: Type.Boolean() });
/** `GET /v1/version`. */
export const VersionSchema = Type.Object({ version: Type.String(), api: Type.Literal('v1'), node: Type.String() });

/** `GET /v1/info` and `berth info --json`. */
export const InfoSchema = Type.Object(
  {
    version: Type.String(),
    hostname: Type.String(),
    pid: Type.Integer(),
    startedAt: Epoch('agent start'),
    root: Type.String(),
    unitsDir: Type.Optional(Type.String()),
    isolations: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), detail: Type.String() })),
    cgroup: Type.String(),
    kernel: Type.String(),
    listen: Type.Array(Type.String()),
    units: Type.Object({ total: Type.Integer(), running: Type.Integer(), failing: Type.Integer(), paused: Type.Integer() }),
    lastSeq: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: true },
);

const Summary = Type.Object(
  { create: Type.Integer(), remove: Type.Integer(), restart: Type.Integer(), reload: Type.Integer(), update: Type.Integer(), unchanged: Type.Integer() },
  { additionalProperties: true },
);

/** `POST /v1/plan`: the actions applying would take, and config errors (as values). */
export const PlanResultSchema = Type.Object({
  plan: Type.Object({ actions: Type.Array(Loose('unit, kind (create|remove|restart|reload|update|none), reason, diffs')), summary: Summary }, { additionalProperties: true }),
  errors: Type.Array(Loose('a config error: code, message, file, line, column, path, hint')),
});

/** `POST /v1/apply`: what was done. */
export const ApplyResultSchema = Type.Object({
  applied: Type.Boolean(),
  dir: Type.String(),
  summary: Summary,
  actions: Type.Array(Type.Object({ unit: Type.String(), kind: Type.String(), reason: Type.String() }, { additionalProperties: true })),
});

/** `POST /v1/down`: the units stopped, in order. */
export const DownResultSchema = Type.Object({ stopped: Type.Array(Type.String()) });

/**
 * A 200 answer that is JSON, or with follow=true a stream of the same items
 * as NDJSON (one a line) or SSE (`id:` = seq for events).
 */
export function streamable(item: TSchema, description: string) {
  const schema = Type.Array(item);
  return {
    description,
    content: {
      'application/json': { schema },
      'application/x-ndjson': { schema: item },
      'text/event-stream': { schema: item },
    },
  };
}
