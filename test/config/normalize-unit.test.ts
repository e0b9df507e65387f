/** normalizeUnit: defaults, units of measure, absolute paths, argv, ports, volumes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalizeUnit, toArgv } from '../../src/config/normalize-unit.js';
import { parseUnitFile } from '../../src/config/parse-unit-file.js';
import type { UnitSpec } from '../../src/config/unit-spec.js';
import { UNIT_DEFAULTS } from '../../src/config/unit-spec.js';

function spec(yaml: string, path = '/srv/units/u.yaml', secretsDir?: string): UnitSpec {
  const { unit, errors } = parseUnitFile(yaml, path);
  assert.equal(errors.map((e) => e.message), []);
  return normalizeUnit(unit!, path, secretsDir ? { secretsDir } : {});
}

test('a minimal service gets every default', () => {
  const s = spec('name: web\nkind: service\nimage: {from: busybox}\n');
  assert.is(s.isolation, 'container');
  assert.is(s.file, '/srv/units/u.yaml');
  assert.is(s.dir, '/srv/units');
  assert.equal(s.network, { attach: ['default'], ports: [], hostname: 'web' });
  assert.equal(s.restart, {
    policy: 'on-failure',
    delayMs: UNIT_DEFAULTS.restartDelayMs,
    maxDelayMs: UNIT_DEFAULTS.restartMaxDelayMs,
    factor: 2,
    jitter: 0.1,
    resetAfterMs: 60_000,
    burst: 5,
    withinMs: 60_000,
    cooldownMs: 60_000,
  });
  assert.equal(s.stop, { signal: 'SIGTERM', timeoutMs: 10_000 });
  assert.equal(s.reload, { signal: 'SIGHUP' });
  assert.equal(s.run, { env: {}, envFiles: [], readonlyRootfs: false, userns: false, init: false, capAdd: [], capDrop: [] });
  assert.equal(s.image, { from: 'busybox', args: {} });
  assert.equal([s.templates, s.volumes, s.after, s.secrets, s.labels, s.resources], [[], [], [], {}, {}, {}]);
  assert.is(s.health, undefined);
  assert.is(s.vm, undefined);
});

test('restart policy defaults by kind', () => {
  assert.is(spec('name: j\nkind: job\nimage: {from: x}\n').restart.policy, 'no');
  assert.is(spec('name: v\nkind: vm\nimage: {from: x}\n').restart.policy, 'on-failure');
  assert.is(spec('name: n\nkind: network\n').restart.policy, 'no');
});

test('networks and volumes attach to nothing; a vm runs as a vm with default size', () => {
  assert.equal(spec('name: n\nkind: network\nsubnet: 10.1.0.0/24\n').network.attach, []);
  assert.is(spec('name: n\nkind: network\nsubnet: 10.1.0.0/24\n').subnet, '10.1.0.0/24');
  assert.equal(spec('name: d\nkind: volume\n').network.attach, []);
  const vm = spec('name: v\nkind: vm\nvm: {disk: ../images/a.qcow2, memory: 1Gi, disks: [10G]}\n');
  assert.is(vm.isolation, 'vm');
  assert.equal(vm.vm, { cpus: 1, memoryBytes: 1024 ** 3, disksBytes: [10e9], cloudInit: false, disk: '/srv/images/a.qcow2' });
  assert.equal(vm.network.attach, ['default']);
});

test('durations, sizes, commands, env and paths', () => {
  const s = spec(`name: web
kind: service
image: {from: busybox, build: web/Dockerfile, args: {V: 2}}
templates: [{src: web/httpd.conf.njk, dest: /etc/httpd.conf, on_change: reload, mode: "0600"}]
run:
  command: httpd -f
  entrypoint: [/bin/tini, --]
  env: {PORT: 8080, DEBUG: false, MODE: prod}
  env_file: [web.env, /etc/common.env]
  workdir: /www
resources: {memory: 64Mi, cpus: 0.5, pids: 100}
restart: {policy: always, delay: 1s, max_delay: 1m30s, reset_after: 2h}
health: {exec: "test -e /ok", every: 2s, timeout: 500ms, start_period: 10s, retries: 1}
stop: {signal: INT, timeout: 1m}
reload: {command: [kill, -HUP, "1"]}
`);
  assert.equal(s.image, { from: 'busybox', build: '/srv/units/web/Dockerfile', context: '/srv/units/web', args: { V: '2' } });
  assert.equal(s.templates, [{ src: '/srv/units/web/httpd.conf.njk', dest: '/etc/httpd.conf', onChange: 'reload', mode: 0o600 }]);
  assert.equal(s.run.command, ['/bin/sh', '-c', 'httpd -f']);
  assert.equal(s.run.entrypoint, ['/bin/tini', '--']);
  assert.equal(s.run.env, { PORT: '8080', DEBUG: 'false', MODE: 'prod' });
  assert.equal(s.run.envFiles, ['/srv/units/web.env', '/etc/common.env']);
  assert.is(s.run.workdir, '/www');
  assert.equal(s.resources, { memoryBytes: 64 * 1024 ** 2, cpus: 0.5, pids: 100 });
  assert.equal([s.restart.delayMs, s.restart.maxDelayMs, s.restart.resetAfterMs], [1_000, 90_000, 7_200_000]);
  assert.equal(s.health, { check: { type: 'exec', command: ['/bin/sh', '-c', 'test -e /ok'] }, everyMs: 2_000, timeoutMs: 500, retries: 1, startPeriodMs: 10_000, onUnhealthy: 'restart' });
  assert.equal(s.stop, { signal: 'SIGINT', timeoutMs: 60_000 });
  assert.equal(s.reload, { signal: 'SIGHUP', command: ['kill', '-HUP', '1'] });
});

test('ports and volumes become specs', () => {
  const s = spec(`name: web
kind: service
image: {from: busybox}
network: {ports: ["8080:80", "127.0.0.1:5353:53/udp", "[::1]:9000:9000"], hostname: www}
volumes:
  - {name: data, path: /data}
  - {host: ./static, path: /www, readonly: true}
  - {tmpfs: true, path: /tmp}
  - {tmpfs: 16Mi, path: /run}
`);
  assert.equal(s.network.ports, [
    { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
    { hostIp: '::1', hostPort: 9000, containerPort: 9000, protocol: 'tcp' },
  ]);
  assert.is(s.network.hostname, 'www');
  assert.equal(s.volumes, [
    { type: 'named', name: 'data', path: '/data', readonly: false },
    { type: 'bind', host: '/srv/units/static', path: '/www', readonly: true },
    { type: 'tmpfs', path: '/tmp', readonly: false },
    { type: 'tmpfs', sizeBytes: 16 * 1024 ** 2, path: '/run', readonly: false },
  ]);
});

test('health http and tcp, after, schedule', () => {
  const h = spec('name: a\nkind: service\nimage: {from: x}\nhealth: {tcp: "db.local:5432", on_unhealthy: stop}\nafter: {db: healthy, mig: completed}\n');
  assert.equal(h.health?.check, { type: 'tcp', host: 'db.local', port: 5432 });
  assert.is(h.health?.onUnhealthy, 'stop');
  assert.equal(h.after, [{ unit: 'db', condition: 'healthy' }, { unit: 'mig', condition: 'completed' }]);
  assert.equal(spec('name: a\nkind: service\nimage: {from: x}\nhealth: {http: "http://x/"}\n').health?.check, { type: 'http', url: 'http://x/' });
  const j = spec('name: j\nkind: job\nimage: {from: x}\nschedule: {cron: "0 3 * * *", timezone: UTC}\n');
  assert.equal(j.schedule, { cron: '0 3 * * *', concurrency: 'skip', keep: 10, timezone: 'UTC' });
});

test('secrets: files under the secrets folder when given, env by name', () => {
  const yaml = 'name: a\nkind: service\nimage: {from: x}\nsecrets: {DB: {file: db/pass}, TOKEN: {env: API_TOKEN}}\n';
  assert.equal(spec(yaml, '/srv/units/u.yaml', '/etc/berth/secrets').secrets, {
    DB: { from: 'file', path: '/etc/berth/secrets/db/pass' },
    TOKEN: { from: 'env', variable: 'API_TOKEN' },
  });
  assert.equal(spec(yaml).secrets.DB, { from: 'file', path: 'db/pass' });
});

test('a host process attaches to no network', () => {
  const s = spec('name: p\nkind: service\nisolation: process\nrun: {command: "sleep 1"}\n');
  assert.equal(s.network, { attach: [], ports: [], hostname: 'p' });
  assert.equal(s.run.command, ['/bin/sh', '-c', 'sleep 1']);
  assert.is(s.image, undefined);
});

test('a relative unit path becomes absolute', () => {
  const s = spec('name: a\nkind: volume\n', 'units/a.yaml');
  assert.ok(s.file.startsWith('/'));
  assert.ok(s.file.endsWith('/units/a.yaml'));
});

test('toArgv', () => {
  assert.equal(toArgv('echo hi'), ['/bin/sh', '-c', 'echo hi']);
  assert.equal(toArgv(['echo', 'hi']), ['echo', 'hi']);
});

test.run();
