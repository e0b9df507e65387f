/**
 * Builds UnitSpec values for config tests without the unit loader:
 * defaults as normalizeUnit would fill them, overridden per test.
 */
import type { HostFacts } from '../../src/config/host-facts.js';
import { UNIT_DEFAULTS, type UnitSpec } from '../../src/config/unit-spec.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** A service unit named `name` with defaults; `over` replaces top-level fields (run/restart merged). */
export function makeSpec(name: string, over: DeepPartial<UnitSpec> = {}): UnitSpec {
  const base: UnitSpec = {
    name,
    kind: 'service',
    isolation: 'container',
    file: `/units/${name}.yaml`,
    dir: '/units',
    image: { from: 'busybox', args: {} },
    templates: [],
    vars: {},
    secrets: {},
    run: { env: {}, envFiles: [], readonlyRootfs: false, userns: false, init: false, capAdd: [], capDrop: [] },
    resources: {},
    network: { attach: ['default'], ports: [], hostname: name },
    volumes: [],
    restart: {
      policy: 'on-failure',
      delayMs: UNIT_DEFAULTS.restartDelayMs,
      maxDelayMs: UNIT_DEFAULTS.restartMaxDelayMs,
      factor: UNIT_DEFAULTS.restartFactor,
      jitter: UNIT_DEFAULTS.restartJitter,
      resetAfterMs: UNIT_DEFAULTS.restartResetAfterMs,
      burst: UNIT_DEFAULTS.restartBurst,
      withinMs: UNIT_DEFAULTS.restartWithinMs,
      cooldownMs: UNIT_DEFAULTS.restartCooldownMs,
    },
    after: [],
    stop: { signal: 'SIGTERM', timeoutMs: 10_000 },
    reload: { signal: 'SIGHUP' },
    labels: {},
  };
  const out = { ...base, ...over } as UnitSpec;
  if (over.run) out.run = { ...base.run, ...over.run } as UnitSpec['run'];
  if (over.restart) out.restart = { ...base.restart, ...over.restart } as UnitSpec['restart'];
  if (over.network) out.network = { ...base.network, ...over.network } as UnitSpec['network'];
  return out;
}

/** Fixed host facts for golden outputs. */
export const FACTS: HostFacts = {
  hostname: 'testhost',
  cpus: 2,
  memory: 4 * 1024 ** 3,
  interfaces: { lo: { ipv4: ['127.0.0.1'], ipv6: ['::1'] }, eth0: { ipv4: ['192.0.2.10'], ipv6: [] } },
  ipv4: '192.0.2.10',
  ipv6: '::1',
  os: { id: 'debian', name: 'Debian GNU/Linux', version: '12 (bookworm)', versionId: '12' },
  kernel: '6.1.0',
  arch: 'x64',
};
