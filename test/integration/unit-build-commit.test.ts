/**
 * A unit with `image.build` through a real agent: apply builds it
 * (berth.local/UNIT:latest) and runs it; a changed context file shows in
 * the plan as a restart and the new container sees it; `berth commit` of
 * the running container gives an image whose top layer has the file it
 * wrote, a whiteout for the file it deleted and the rendered template as a
 * real file, and that image runs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageStore } from '../../src/image/image-store.js';
import { ContainerDriver } from '../../src/runtime/container/driver.js';
import { parseLogText } from '../../src/supervisor/unit-logs.js';
import { withAgent, uniqueName, until } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const unitFile = (name: string) => [
  `name: ${name}`,
  'kind: service',
  'image: { from: busybox, build: app/Dockerfile }',
  'network: { attach: [] }',
  'stop: { timeout: 1s }',
  'vars: { who: world }',
  'templates:',
  '  - { src: greet.conf.njk, dest: /etc/greet.conf }',
  `run: { command: "echo new > /new.txt; rm /bin/vi; while true; do sleep 0.2 & wait; done" }`,
  '',
].join('\n');

test('image.build unit: built on apply, rebuilt on a context change, committed with templates baked in', async () => {
  requireRoot();
  requireTool('conmon');
  const name = uniqueName('build');
  await withAgent({
    units: {
      [`${name}.yaml`]: unitFile(name),
      'greet.conf.njk': 'hello {{ who }}\n',
      'app/Dockerfile': 'FROM busybox\nCOPY msg.txt /app/msg.txt\n',
      'app/msg.txt': 'v1\n',
    },
  }, async (agent) => {
    const cat = async (file: string) => (await agent.client.post<{ stdout: string }>(`/v1/units/${name}/exec`, { argv: ['cat', file] })).stdout.trim();
    await agent.waitUnit(name, (u) => u.state === 'running' && !!u.pid, 60_000);
    assert.is(await cat('/app/msg.txt'), 'v1');
    await until('the unit to write its file', async () => ((await cat('/new.txt')) === 'new' ? true : undefined), 10_000);

    const snap = `bt-snap-${randomBytes(3).toString('hex')}:v1`;
    const committed = await agent.cli(['commit', name, snap, '-m', 'a snapshot', '-c', 'CMD ["sh", "-c", "cat /new.txt /etc/greet.conf /app/msg.txt; test -e /bin/vi || echo no-vi"]']);
    assert.is(committed.code, 0, committed.stdout + committed.stderr);
    const history = await agent.cli(['history', snap]);
    assert.match(history.stdout, /berth commit/, history.stdout + history.stderr);

    const store = await ImageStore.open(agent.root);
    const image = await store.resolve(snap);
    const top = image.manifest.layers[image.manifest.layers.length - 1]!;
    const listing = execFileSync('tar', ['tzvf', join(agent.root, 'images/blobs/sha256', top.digest.slice(7))], { encoding: 'utf8' });
    assert.match(listing, / new\.txt\n/);
    assert.match(listing, / bin\/\.wh\.vi\n/);
    assert.match(listing, /^-.* etc\/greet\.conf\n/m, `the template is a real file:\n${listing}`);
    assert.not.match(listing, /run\/berth/, 'no mount point of the config dir');
    const driver = new ContainerDriver({ root: agent.root });
    const id = `bt-run-${randomBytes(3).toString('hex')}`;
    const h = await driver.start({ id, unit: id, layers: await store.layerDirs(image), argv: image.config.config!.Cmd!, env: { PATH: '/bin' }, hostname: id, resources: {}, mounts: [], network: { attach: [], ports: [] } });
    try {
      assert.is((await driver.wait(h)).code, 0);
      assert.is(parseLogText(readFileSync(h.logPath, 'utf8')).map((l) => l.text).join('\n'), 'new\nhello world\nv1\nno-vi');
    } finally {
      await driver.destroy(h);
    }

    // berth build through the agent's API: streamed steps, a failing RUN's output, the image listed
    agent.writeUnit('ctx/Dockerfile', 'FROM busybox\nRUN echo step-output-line\nCOPY app/msg.txt /m\n');
    const built = await agent.cli(['build', '-t', 'bt-api-build:v1', join(agent.unitsDir, 'ctx'), '-f', join(agent.unitsDir, 'ctx/Dockerfile')]);
    assert.is(built.code, 1, 'app/ is not in ctx/: COPY fails before any step runs');
    assert.match(built.stderr, /matches no file in the build context/);
    const ok = await agent.cli(['build', '-t', 'bt-api-build:v1', '-f', join(agent.unitsDir, 'ctx/Dockerfile'), agent.unitsDir]);
    assert.is(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /\[1\/2\] RUN echo step-output-line .*s\n/);
    assert.match(ok.stderr, /step-output-line\n/);
    assert.match(ok.stdout, /^bt-api-build:v1: sha256:[0-9a-f]{64}\n$/);
    agent.writeUnit('ctx/Dockerfile', 'FROM busybox\nRUN echo oops >&2; exit 4\n');
    const bad = await agent.cli(['build', '-t', 'bt-api-bad:v1', '-f', join(agent.unitsDir, 'ctx/Dockerfile'), agent.unitsDir]);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /exit code 4/);
    assert.match(bad.stderr, /oops/);
    assert.match((await agent.cli(['images'])).stdout, /bt-api-build +v1/);
    agent.writeUnit('ctx/Dockerfile', null);

    agent.writeUnit('app/msg.txt', 'v2\n');
    const plan = await agent.cli(['plan', agent.unitsDir]);
    assert.match(plan.stdout, /restart/, `plan says restart:\n${plan.stdout}${plan.stderr}`);
    const applied = await agent.cli(['apply', agent.unitsDir]);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    await until('the rebuilt image to run', async () => ((await cat('/app/msg.txt').catch(() => '')) === 'v2' ? true : undefined), 60_000);
  });
});

test.run();
