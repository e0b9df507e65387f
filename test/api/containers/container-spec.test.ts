/**
 * Pure parts of containers and the Docker API: request → UnitSpec (flag
 * errors name the flag), Docker create bodies, version prefixes, stdcopy
 * frames, state mapping, stable ids.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { containerId, generateName } from '../../../src/api/containers/container-name.js';
import { containerSpec } from '../../../src/api/containers/container-spec.js';
import { stripVersion } from '../../../src/api/docker/docker-api.js';
import { fromDockerCreate } from '../../../src/api/docker/docker-request.js';
import { dockerState } from '../../../src/api/docker/docker-views.js';
import { frame } from '../../../src/api/docker/unit-output.js';

const ctx = { networks: ['backend'], now: 1_700_000_000_000 };

test('a request becomes an ad-hoc-ready unit spec with docker defaults', () => {
  const s = containerSpec({ image: 'busybox', command: ['echo', 'hi'], env: { A: '1' }, ports: ['127.0.0.1:8080:80'], memory: '64Mi', network: 'backend', volumes: ['/srv:/data:ro'] }, 'web', ctx);
  assert.is(s.restart.policy, 'no');
  assert.equal(s.run.command, ['echo', 'hi']);
  assert.is(s.resources.memoryBytes, 64 * 1024 * 1024);
  assert.equal(s.network.attach, ['backend']);
  assert.is(s.network.ports[0]!.hostPort, 8080);
  assert.equal(s.volumes[0], { type: 'bind', host: '/srv', path: '/data', readonly: true });
  assert.is(s.labels['berth.created'], String(ctx.now));
});

test('bad values name the flag', () => {
  assert.throws(() => containerSpec({ image: 'busybox', memory: '64Zi' }, 'x', ctx), /--memory: .*not a size/);
  assert.throws(() => containerSpec({ image: 'busybox', network: 'nope' }, 'x', ctx), /--network: .*nope/);
  assert.throws(() => containerSpec({ image: 'busybox', ports: ['x'] }, 'x', ctx), /--publish/);
  assert.throws(() => containerSpec({ image: 'busybox', restart: 'sometimes' }, 'x', ctx), /--restart/);
  assert.throws(() => containerSpec({ image: 'busybox', volumes: ['nocolon'] }, 'x', ctx), /--volume nocolon/);
});

test('docker create bodies translate; host networking is refused', () => {
  const r = fromDockerCreate({ Image: 'busybox', Cmd: ['sleep', '1'], Env: ['A=1', 'B='], HostConfig: { AutoRemove: true, PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, Memory: 67108864, NetworkMode: 'default' } }, '/web');
  assert.equal(r, { image: 'busybox', start: false, name: 'web', command: ['sleep', '1'], env: { A: '1', B: '' }, ports: ['8080:80/tcp'], memory: '67108864', rm: true });
  assert.throws(() => fromDockerCreate({ Image: 'busybox', HostConfig: { NetworkMode: 'host' } }, undefined), /network host/);
});

test('version prefixes, frames, states, ids, names', () => {
  assert.is(stripVersion('/v1.41/containers/json?all=1'), '/containers/json?all=1');
  assert.is(stripVersion('/_ping'), '/_ping');
  assert.equal([...frame('stderr', 'ab')], [2, 0, 0, 0, 0, 0, 0, 2, 97, 98]);
  assert.is(dockerState('backing-off'), 'restarting');
  assert.is(dockerState('failed'), 'exited');
  assert.is(dockerState('waiting'), 'created');
  const a = containerId({ name: 'web', labels: { 'berth.created': '1' } });
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.is.not(a, containerId({ name: 'web', labels: { 'berth.created': '2' } }));
  const taken = new Set(['brave_curie']);
  assert.match(generateName((n) => taken.has(n), () => 0.1), /^[a-z]+_[a-z]+\d*$/);
});

test.run();
