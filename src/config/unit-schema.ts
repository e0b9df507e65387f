/**
 * The unit file format, declared once. The same TypeBox schema is the
 * validator (through Ajv), the TypeScript type `UnitFile`, and the JSON Schema
 * that `berth schema` prints for editors (yaml-language-server).
 *
 * Cross-field rules (which kind allows which key, references between units,
 * dependency cycles) live in validate-unit-refs.ts / validate-unit-kinds.ts.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** `100ms`, `5s`, `1m30s`, `2h`, `1d`. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$';
/** `64Mi`, `1G`, `512K`, `1048576` (bytes). */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(B|k|K|Ki|M|Mi|G|Gi|T|Ti|KB|MB|GB|TB)?$';
/** Unit, network and volume names: DNS-label friendly. */
export const NAME_PATTERN = '^[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?$';

const strict = { additionalProperties: false } as const;

const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, description: `${description} (e.g. 100ms, 5s, 1m, 2h)` });
const Size = (description: string) =>
  Type.Union([Type.String({ pattern: SIZE_PATTERN }), Type.Integer({ minimum: 0 })], {
    description: `${description} (e.g. 64Mi, 1G, or bytes)`,
  });
const Name = (description: string) => Type.String({ pattern: NAME_PATTERN, description });
/** A command: an argv list, or a string run by `/bin/sh -c`. */
const Command = (description: string) =>
  Type.Union([Type.Array(Type.String(), { minItems: 1 }), Type.String({ minLength: 1 })], { description });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const UnitKinds = ['service', 'job', 'vm', 'network', 'volume'] as const;
export const Isolations = ['container', 'vm', 'process', 'systemd'] as const;
export const RestartPolicies = ['no', 'on-failure', 'always', 'unless-stopped'] as const;
export const OnChangeActions = ['restart', 'reload', 'none'] as const;
export const AfterConditions = ['started', 'healthy', 'completed'] as const;

const literalUnion = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description: `${description}: ${values.join(' | ')}` },
  );

export const ImageSchema = Type.Object(
  {
    from: Type.String({ minLength: 1, description: 'base image: a local image, "scratch", or a registry reference' }),
    build: Type.Optional(Type.String({ minLength: 1, description: 'a Dockerfile, relative to the unit file' })),
    context: Type.Optional(Type.String({ description: 'build context folder, relative to the unit file (default: the Dockerfile folder)' })),
    args: Type.Optional(Type.Record(Type.String(), Scalar, { description: 'build arguments (ARG)' })),
  },
  { ...strict, description: 'the image the unit runs' },
);

export const TemplateSchema = Type.Object(
  {
    src: Type.String({ minLength: 1, description: 'template file, relative to the unit file' }),
    dest: Type.String({ pattern: '^/', description: 'absolute path inside the unit' }),
    on_change: Type.Optional(literalUnion(OnChangeActions, 'what to do when the rendered file changes')),
    mode: Type.Optional(Type.String({ pattern: '^0?[0-7]{3,4}$', description: 'file mode in octal, e.g. "0644"' })),
  },
  strict,
);

export const SecretSchema = Type.Object(
  {
    file: Type.Optional(Type.String({ minLength: 1, description: 'file under the secrets folder' })),
    env: Type.Optional(Type.String({ minLength: 1, description: 'environment variable of the agent' })),
  },
  { ...strict, description: 'where the secret value comes from: exactly one of file, env' },
);

export const RunSchema = Type.Object(
  {
    command: Type.Optional(Command('the command (argv list, or a string for /bin/sh -c)')),
    entrypoint: Type.Optional(Command('replaces the image entrypoint')),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Scalar, { description: 'environment variables' })),
    env_file: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'KEY=VALUE files, relative to the unit file' })),
    user: Type.Optional(Type.String({ description: 'user or uid[:gid] to run as' })),
    workdir: Type.Optional(Type.String({ pattern: '^/', description: 'working directory' })),
    readonly_rootfs: Type.Optional(Type.Boolean({ description: 'mount the root filesystem read-only' })),
    userns: Type.Optional(Type.Boolean({ description: 'run in a user namespace (root inside maps to an unprivileged uid range)' })),
    init: Type.Optional(Type.Boolean({ description: 'run a tiny init (tini) as PID 1 that forwards signals and reaps zombies, as `docker run --init`: a command that ignores SIGTERM as PID 1 then stops at once' })),
    cap_add: Type.Optional(Type.Array(Type.String(), { description: 'capabilities to add to the default set' })),
    cap_drop: Type.Optional(Type.Array(Type.String(), { description: 'capabilities to drop from the default set' })),
  },
  { ...strict, description: 'how the unit process runs' },
);

export const ResourcesSchema = Type.Object(
  {
    memory: Type.Optional(Size('memory limit')),
    cpus: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'CPU limit in cores, e.g. 0.5' })),
    pids: Type.Optional(Type.Integer({ minimum: 1, description: 'maximum number of processes' })),
  },
  strict,
);

export const NetworkAttachSchema = Type.Object(
  {
    attach: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'networks to join ("default" always exists); [] for none' })),
    ports: Type.Optional(
      Type.Array(Type.String({ pattern: '^(([0-9.]+|\\[[0-9a-fA-F:]+\\]):)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$' }), {
        description: 'published ports: [IP:]HOST:CONTAINER[/tcp|udp]',
      }),
    ),
    hostname: Type.Optional(Type.String({ description: 'hostname inside the unit (default: the unit name)' })),
  },
  strict,
);

export const VolumeMountSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: 'a named volume (a volume unit, or created on demand)' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'a host path (relative to the unit file)' })),
    tmpfs: Type.Optional(Type.Union([Type.Boolean(), Size('tmpfs size')], { description: 'a tmpfs (true, or a size)' })),
    path: Type.String({ pattern: '^/', description: 'mount point inside the unit' }),
    readonly: Type.Optional(Type.Boolean()),
  },
  { ...strict, description: 'exactly one of name, host, tmpfs' },
);

export const RestartSchema = Type.Object(
  {
    policy: literalUnion(RestartPolicies, 'when to restart'),
    delay: Type.Optional(Duration('first restart delay')),
    max_delay: Type.Optional(Duration('backoff ceiling')),
    factor: Type.Optional(Type.Number({ minimum: 1, description: 'backoff multiplier (default 2)' })),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'random spread, 0..1 (default 0.1)' })),
    reset_after: Type.Optional(Duration('uptime after which the backoff resets')),
    burst: Type.Optional(Type.Integer({ minimum: 1, description: 'start limit: starts allowed within `within`' })),
    within: Type.Optional(Duration('start limit interval')),
    cooldown: Type.Optional(Duration('wait after hitting the start limit before trying again')),
  },
  strict,
);

export const HealthSchema = Type.Object(
  {
    exec: Type.Optional(Command('command run inside the unit; exit 0 is healthy')),
    http: Type.Optional(Type.String({ pattern: '^https?://', description: 'URL; a 2xx/3xx answer is healthy' })),
    tcp: Type.Optional(Type.String({ pattern: '^[^:]+:[0-9]{1,5}$', description: 'HOST:PORT that must accept a connection' })),
    every: Type.Optional(Duration('interval')),
    timeout: Type.Optional(Duration('timeout of one check')),
    retries: Type.Optional(Type.Integer({ minimum: 1, description: 'failures in a row before unhealthy' })),
    start_period: Type.Optional(Duration('grace period after start')),
    on_unhealthy: Type.Optional(literalUnion(['restart', 'stop', 'none'] as const, 'what to do when unhealthy')),
  },
  { ...strict, description: 'exactly one of exec, http, tcp' },
);

export const ScheduleSchema = Type.Object(
  {
    cron: Type.String({ minLength: 1, description: 'cron expression (5 or 6 fields)' }),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone, e.g. Europe/Berlin (default: the host zone)' })),
    concurrency: Type.Optional(literalUnion(['skip', 'queue', 'allow'] as const, 'when a run is still going')),
    keep: Type.Optional(Type.Integer({ minimum: 1, description: 'runs kept in history (default 10)' })),
  },
  strict,
);

export const StopSchema = Type.Object(
  {
    signal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9+-]+$', description: 'stop signal (default SIGTERM)' })),
    timeout: Type.Optional(Duration('wait before SIGKILL (default 10s)')),
  },
  strict,
);

export const ReloadSchema = Type.Object(
  {
    signal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9+-]+$', description: 'reload signal (default SIGHUP)' })),
    command: Type.Optional(Command('reload command run inside the unit instead of a signal')),
  },
  strict,
);

export const VmSchema = Type.Object(
  {
    cpus: Type.Optional(Type.Integer({ minimum: 1 })),
    memory: Type.Optional(Size('guest memory')),
    disk: Type.Optional(Type.String({ minLength: 1, description: 'an unmodified qcow2/raw/vmdk image; booted copy-on-write' })),
    kernel: Type.Optional(Type.String({ description: 'guest kernel (default: the one from setup)' })),
    disks: Type.Optional(Type.Array(Size('extra disk size'))),
    cloud_init: Type.Optional(Type.Boolean({ description: 'attach a cloud-init seed with the rendered templates' })),
  },
  strict,
);

export const UnitSchema = Type.Object(
  {
    name: Name('unit name: lower-case letters, digits, - _ .'),
    kind: literalUnion(UnitKinds, 'what the unit is'),
    description: Type.Optional(Type.String()),
    isolation: Type.Optional(literalUnion(Isolations, 'how the unit runs (default: container; vm for kind vm)')),
    image: Type.Optional(ImageSchema),
    templates: Type.Optional(Type.Array(TemplateSchema)),
    vars: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'template variables' })),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), SecretSchema)),
    run: Type.Optional(RunSchema),
    resources: Type.Optional(ResourcesSchema),
    network: Type.Optional(NetworkAttachSchema),
    volumes: Type.Optional(Type.Array(VolumeMountSchema)),
    restart: Type.Optional(RestartSchema),
    health: Type.Optional(HealthSchema),
    after: Type.Optional(Type.Record(Type.String(), literalUnion(AfterConditions, 'dependency condition'))),
    schedule: Type.Optional(ScheduleSchema),
    stop: Type.Optional(StopSchema),
    reload: Type.Optional(ReloadSchema),
    vm: Type.Optional(VmSchema),
    subnet: Type.Optional(Type.String({ pattern: '^[0-9.]+/[0-9]{1,2}$', description: 'network units: IPv4 subnet in CIDR form' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { ...strict, $id: 'https://berth.dev/schema/unit.json', title: 'berth unit' },
);

/** A unit file exactly as written (after schema validation). */
export type UnitFile = Static<typeof UnitSchema>;
export type UnitKind = (typeof UnitKinds)[number];
export type Isolation = (typeof Isolations)[number];
export type RestartPolicy = (typeof RestartPolicies)[number];
export type OnChange = (typeof OnChangeActions)[number];
export type AfterCondition = (typeof AfterConditions)[number];
export type TemplateFile = Static<typeof TemplateSchema>;
export type VolumeMount = Static<typeof VolumeMountSchema>;

/** Every top-level key, for "did you mean" suggestions. */
export function schemaKeys(schema: TSchema): string[] {
  const props = (schema as { properties?: Record<string, unknown> }).properties;
  return props ? Object.keys(props) : [];
}
