import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { convertCompose, unitNameOf } from '../../src/config/import-compose.js';
import { convertPort, convertSize } from '../../src/config/import-compose-values.js';
import { validateUnitTexts } from '../../src/config/validate-unit-texts.js';

const fixture = (name: string) => new URL(`../fixtures/compose/${name}`, import.meta.url).pathname;
const convert = (name: string) => convertCompose(readFileSync(fixture(name), 'utf8'), fixture(name), { outDir: fixture('units') });
const unit = (r: ReturnType<typeof convert>, name: string) => parse(r.units.find((u) => u.file === `${name}.yaml`)!.text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary YAML

test('wordpress: services, volumes, health, conditions, sizes', () => {
  const r = convert('wordpress.yml');
  assert.equal(r.errors, []);
  assert.equal(r.units.map((u) => u.file).sort(), ['db.yaml', 'db_data.yaml', 'wordpress.yaml']);
  const db = unit(r, 'db');
  assert.equal(db.image, { from: 'mariadb:10.6' });
  assert.equal(db.restart, { policy: 'always' });
  assert.equal(db.health, { exec: ['healthcheck.sh', '--connect'], every: '10s', timeout: '5s', start_period: '30s', retries: 5 });
  assert.equal(db.resources, { memory: '512Mi' });
  assert.equal(db.volumes, [{ name: 'db_data', path: '/var/lib/mysql' }]);
  const wp = unit(r, 'wordpress');
  assert.equal(wp.after, { db: 'healthy' });
  assert.equal(wp.network, { ports: ['127.0.0.1:8000:80'] });
  assert.equal(wp.run.env.WORDPRESS_DB_HOST, 'db');
  assert.equal(wp.run.cap_add, ['NET_ADMIN']);
  assert.equal(wp.volumes, [{ host: '../wp-content', path: '/var/www/html/wp-content', readonly: true }, { tmpfs: '64Mi', path: '/tmp' }]);
  assert.equal(unit(r, 'db_data'), { name: 'db_data', kind: 'volume' });
  assert.ok(r.warnings.includes('services.wordpress.privileged: not supported, dropped'), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => w.startsWith('services.wordpress.restart: the retry limit :3')));
  assert.match(r.units[0]!.text, /^# Imported from wordpress.yml/);
});

test('build stack: build, command, entrypoint, networks, deploy limits, renames', () => {
  const r = convert('build-stack.yml');
  assert.equal(r.errors, []);
  const api = unit(r, 'api');
  assert.equal(api.image, { from: 'scratch', build: '../api/Dockerfile.prod', context: '../api', args: { NODE_ENV: 'production' } });
  assert.is(api.run.command, 'node server.js --port 3000');
  assert.equal(api.run.entrypoint, ['/sbin/tini', '--']);
  assert.equal(api.run.env_file, ['../.env']);
  assert.is(api.run.workdir, '/app');
  assert.is(api.run.user, '1000:1000');
  assert.equal(api.network, { attach: ['back', 'front'], ports: ['3000:3000', '8443:8443/udp'], hostname: 'api-host' });
  assert.equal(api.after, { cache: 'started', migrate: 'started' });
  assert.equal(api.resources, { memory: '256Mi', cpus: 0.5, pids: 100 });
  assert.equal(api.stop, { signal: 'SIGINT', timeout: '1m30s' });
  assert.equal(api.labels, { 'com.example.team': 'api' });
  assert.equal(unit(r, 'back'), { name: 'back', kind: 'network', subnet: '10.90.0.0/24' });
  assert.equal(unit(r, 'cache').health, { exec: 'redis-cli ping' });
  assert.equal(unit(r, 'cache').volumes, [{ name: 'cache-anon-1', path: '/data' }]);
  assert.is(unit(r, 'migrate').health, undefined);
  assert.equal(unit(r, 'front_proxy').after, { api: 'started' });
  for (const w of ['services.api.ports[1]', 'services.api.deploy.replicas', 'services.api.image: the tag example/api:1.2', 'services.cache.networks.back.aliases', 'secrets: not supported', 'services.Front_Proxy: renamed to front_proxy']) {
    assert.ok(r.warnings.some((x) => x.includes(w)), `${w} in\n${r.warnings.join('\n')}`);
  }
});

test('the written units pass validateUnitTexts', () => {
  for (const name of ['wordpress.yml', 'build-stack.yml']) {
    const r = convert(name);
    const { errors } = validateUnitTexts(r.units.map((u) => ({ file: `${fixture('units')}/${u.file}`, text: u.text })));
    assert.equal(errors.map((e) => `${e.location} ${e.path}: ${e.message}`), [], name);
  }
});

test('a network or volume named like a service is renamed, references follow', () => {
  const r = convertCompose('services:\n  db:\n    image: pg\n    volumes: [db:/data]\n    networks: [db]\nvolumes:\n  db: {}\nnetworks:\n  db: {}\n', 'c.yml');
  assert.equal(r.units.map((u) => u.file).sort(), ['db-network.yaml', 'db-volume.yaml', 'db.yaml']);
  const db = parse(r.units.find((u) => u.file === 'db.yaml')!.text);
  assert.equal(db.volumes, [{ name: 'db-volume', path: '/data' }]);
  assert.equal(db.network.attach, ['db-network']);
});

test('bad YAML and a file without services are errors with positions', () => {
  const bad = convertCompose('services:\n  a: [\n', 'c.yml');
  assert.is(bad.errors[0]!.file, 'c.yml');
  assert.ok(bad.errors[0]!.line >= 2);
  assert.match(convertCompose('foo: 1\n', 'c.yml').errors[0]!.message, 'no `services:`');
});

test('value converters', () => {
  assert.equal(convertSize('1g'), { ok: '1Gi' });
  assert.equal(convertSize('512MB'), { ok: '512Mi' });
  assert.equal(convertSize(1024), { ok: 1024 });
  assert.equal(convertPort('8080:80'), { ok: '8080:80' });
  assert.equal(convertPort('[::1]:8080:80/udp'), { ok: '[::1]:8080:80/udp' });
  assert.ok('why' in convertPort('8000-8010:8000-8010'));
  assert.is(unitNameOf('My_Service'), 'my_service');
});

test.run();
