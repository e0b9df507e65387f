/**
 * Real builds: RUN in crun/runc containers through conmon, layers in a temp
 * image store, the persistent cache, the image run afterwards; skopeo reads
 * the result. Every test uses its own temp root and leaves no container.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildImage, type BuildProgress } from '../../../src/image/build-exec/build-image.js';
import { ImageStore } from '../../../src/image/image-store.js';
import { ContainerDriver } from '../../../src/runtime/container/driver.js';
import { ContainerBuildRunner } from '../../../src/supervisor/container-build-runner.js';
import { parseLogText } from '../../../src/supervisor/unit-logs.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';

requireRoot();
requireTool('conmon');
requireTool('skopeo');

const DOCKERFILE = `FROM busybox AS builder
WORKDIR /src
COPY hello.txt .
RUN echo built > out.txt && cat hello.txt >> out.txt && echo "to stderr" >&2

FROM busybox
ENV GREETING=hi
WORKDIR /app
COPY --from=builder /src/out.txt /app/
RUN rm /bin/vi && echo "$GREETING" > /app/g.txt
COPY late.txt /app/
CMD ["sh", "-c", "cat /app/out.txt /app/g.txt /app/late.txt; test -e /bin/vi || echo no-vi"]
`;

interface Env {
  root: string;
  ctx: string;
  store: ImageStore;
  driver: ContainerDriver;
  build(opts?: { noCache?: boolean; dockerfile?: string; tag?: string }): Promise<{ res: Awaited<ReturnType<typeof buildImage>>; events: BuildProgress[] }>;
}

async function withEnv(fn: (env: Env) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `bt-build-${randomBytes(3).toString('hex')}-`));
  const ctx = join(root, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(ctx, 'hello.txt'), 'hello\n');
  writeFileSync(join(ctx, 'late.txt'), 'late 1\n');
  const store = await ImageStore.open(root);
  const driver = new ContainerDriver({ root });
  const runner = new ContainerBuildRunner(driver, root);
  try {
    await fn({
      root, ctx, store, driver,
      async build(opts = {}) {
        const events: BuildProgress[] = [];
        const res = await buildImage({ store, runner, contextDir: ctx, tags: [opts.tag ?? 'bt-app:v1'], ...(opts.noCache ? { noCache: true } : {}), ...(opts.dockerfile ? { dockerfile: opts.dockerfile } : {}), onProgress: (e) => events.push(e) });
        return { res, events };
      },
    });
  } finally {
    const left = existsSync(join(root, 'containers')) ? readdirSync(join(root, 'containers')) : [];
    await driver.cleanupLeftovers().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    assert.equal(left, [], 'no build container is left behind');
  }
}

/** Runs `image` (its Cmd) in a container and returns its output. */
async function runImage(env: Env, ref: string): Promise<string> {
  const image = await env.store.resolve(ref);
  const id = `bt-run-${randomBytes(3).toString('hex')}`;
  const handle = await env.driver.start({
    id, unit: id, layers: await env.store.layerDirs(image), argv: image.config.config?.Cmd ?? [], env: { PATH: '/bin:/usr/bin' },
    hostname: id, resources: {}, mounts: [], network: { attach: [], ports: [] },
  });
  try {
    const exit = await env.driver.wait(handle);
    assert.is(exit.code, 0);
    return parseLogText(readFileSync(handle.logPath, 'utf8')).map((l) => l.text).join('\n');
  } finally {
    await env.driver.destroy(handle);
  }
}

const done = (events: BuildProgress[]) => events.filter((e): e is Extract<BuildProgress, { type: 'step-done' }> => e.type === 'step-done');

test('multi-stage build runs, is cached, rebuilds from a changed late COPY, and skopeo reads it', () =>
  withEnv(async (env) => {
    const first = await env.build();
    assert.ok(first.res.ok, JSON.stringify(!first.res.ok && first.res.errors.map((e) => e.message)));
    if (!first.res.ok) return;
    assert.ok(first.events.some((e) => e.type === 'step-output' && e.chunk.includes('to stderr')), 'RUN output is streamed');
    assert.is(await runImage(env, 'bt-app:v1'), 'built\nhello\nhi\nlate 1\nno-vi');
    const config = (await env.store.resolve('bt-app:v1')).config;
    assert.is(config.config?.WorkingDir, '/app');
    assert.ok(config.config?.Env?.includes('GREETING=hi'));
    const skopeo = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(env.root, 'images')}:docker.io/library/bt-app:v1`], { encoding: 'utf8' })) as { Layers: string[] };
    assert.is(skopeo.Layers.length, first.res.image.manifest.layers.length);

    const again = await env.build();
    assert.ok(again.res.ok);
    if (!again.res.ok) return;
    assert.ok(done(again.events).every((e) => e.cached), 'every step cached');
    assert.equal(again.res.containers, [], 'no container started');
    assert.is(again.res.image.digest, first.res.image.digest, 'same image');

    writeFileSync(join(env.ctx, 'late.txt'), 'late 2\n');
    const late = await env.build();
    assert.ok(late.res.ok);
    const steps = done(late.events);
    const copyAt = steps.findIndex((e) => e.text === 'COPY late.txt /app/');
    assert.ok(steps.slice(0, copyAt).every((e) => e.cached), 'steps before the change are cached');
    assert.is(steps[copyAt]!.cached, false);
    assert.is(steps[copyAt + 1]!.cached, false, 'CMD after it is new too');
    assert.is(await runImage(env, 'bt-app:v1'), 'built\nhello\nhi\nlate 2\nno-vi');
  }));

test('a failing RUN: its output in the error, no image, no container', () =>
  withEnv(async (env) => {
    writeFileSync(join(env.ctx, 'Dockerfile.bad'), 'FROM busybox\nRUN echo making && echo "disk on fire" >&2 && exit 3\n');
    const { res } = await env.build({ dockerfile: join(env.ctx, 'Dockerfile.bad'), tag: 'bt-bad:v1' });
    assert.is(res.ok, false);
    if (res.ok) return;
    assert.is(res.errors[0]!.code, 'E_BUILD_RUN');
    assert.match(res.errors[0]!.message, /exit code 3/);
    assert.match(res.errors[0]!.message, /disk on fire/);
    assert.is(res.containers.length, 1);
    await env.store.resolve('bt-bad:v1').then(() => assert.unreachable('no image is named'), (e: Error) => assert.match(e.message, /not in the local image store/));
  }));

test('COPY from outside the context is refused before anything runs', () =>
  withEnv(async (env) => {
    writeFileSync(join(env.root, 'secret.txt'), 'nope');
    writeFileSync(join(env.ctx, 'Dockerfile.out'), 'FROM busybox\nRUN true\nCOPY ../secret.txt /x\n');
    const { res, events } = await env.build({ dockerfile: join(env.ctx, 'Dockerfile.out'), tag: 'bt-out:v1' });
    assert.is(res.ok, false);
    if (res.ok) return;
    assert.match(res.errors[0]!.message, /outside the build context/);
    assert.equal(events.filter((e) => e.type === 'step-start'), [], 'no step ran');
  }));

test.run();
