import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignCacheKeys, type FileDigests } from '../../../src/image/build/assign-cache-keys.js';
import type { BuildPlan } from '../../../src/image/build/build-plan.js';
import { runBuild, type BuildEvent } from '../../../src/image/build/run-build.js';
import type { BuildCache, StepExecutor } from '../../../src/image/build/step-executor.js';
import { fakeContext, planOk } from './plan-helpers.js';

/** An in-memory executor: a layer is a string naming what made it. */
class FakeExecutor implements StepExecutor<string> {
  calls: string[] = [];
  async imageLayers(ref: string): Promise<string[]> {
    return [`${ref}-layer`];
  }
  async run(step: Parameters<StepExecutor<string>['run']>[0], layers: readonly string[], onOutput: (c: string) => void) {
    this.calls.push(`run ${step.action.argv.at(-1)} on ${layers.length}`);
    onOutput(`running ${step.action.argv.at(-1)}\n`);
    if (step.action.argv.at(-1)!.includes('fail')) return { ok: false as const, exitCode: 2, output: 'running\nmake: *** [all] Error 2\n' };
    return { ok: true as const, layer: `run:${step.action.argv.at(-1)}` };
  }
  async copy(step: Parameters<StepExecutor<string>['copy']>[0], layers: readonly string[], from?: readonly string[]) {
    this.calls.push(`copy to ${step.action.dest}${from ? ` from [${from.join(',')}]` : ''}`);
    return `copy:${step.action.dest}`;
  }
  async mkdir(step: Parameters<StepExecutor<string>['mkdir']>[0]) {
    this.calls.push(`mkdir ${step.action.path}`);
    return `mkdir:${step.action.path}`;
  }
}

class MemoryCache implements BuildCache<string> {
  map = new Map<string, string>();
  async get(key: string) {
    return this.map.get(key);
  }
  async put(key: string, layer: string) {
    this.map.set(key, layer);
  }
}

const CONTEXT = fakeContext(['app.sh', 'conf/', 'conf/a.conf']);
const digests = (conf: string): FileDigests =>
  new Map([
    ['app.sh', { digest: 'sha256:' + '1'.repeat(64) }],
    ['conf/a.conf', { digest: `sha256:${conf.repeat(64)}` }],
  ]);

function keyed(text: string, conf = '2', target?: string): BuildPlan {
  const plan = planOk(text, { context: CONTEXT, ...(target ? { target } : {}) });
  const res = assignCacheKeys(plan, digests(conf));
  if (!res.plan) throw new Error(res.errors.map((e) => e.message).join('\n'));
  return res.plan;
}

const TEXT = ['FROM busybox', 'WORKDIR /app', 'COPY app.sh .', 'RUN ./app.sh build', 'ENV MODE=prod', 'COPY conf /etc/app/', 'RUN ./app.sh check', 'CMD ["/app/app.sh"]'].join('\n');

function clock() {
  let t = 1000;
  return () => (t += 5);
}

test('a first build makes every layer and reports each step', async () => {
  const exec = new FakeExecutor();
  const cache = new MemoryCache();
  const events: BuildEvent[] = [];
  const res = await runBuild(keyed(TEXT), exec, cache, (e) => events.push(e), { now: clock() });
  assert.ok(res.ok);
  if (!res.ok) return;
  assert.equal(exec.calls, ['mkdir /app', 'copy to /app/', 'run ./app.sh build on 3', 'copy to /etc/app/', 'run ./app.sh check on 5']);
  assert.equal(res.image.layers, ['busybox-layer', 'mkdir:/app', 'copy:/app/', 'run:./app.sh build', 'copy:/etc/app/', 'run:./app.sh check']);
  assert.equal(res.image.config.Cmd, ['/app/app.sh']);
  assert.is(res.image.history.length, 7);
  assert.equal([res.built, res.cached], [7, 0], 'config-only steps after a miss count as rebuilt, as in Docker');
  const done = events.filter((e) => e.type === 'step-done');
  assert.equal(done.map((e) => e.type === 'step-done' && `${e.n}/${e.total} ${e.cached ? 'cached' : 'built'} ${e.ms}ms ${e.text}`), [
    '1/7 built 5ms WORKDIR /app',
    '2/7 built 5ms COPY app.sh .',
    '3/7 built 5ms RUN ./app.sh build',
    '4/7 built 5ms ENV MODE=prod',
    '5/7 built 5ms COPY conf /etc/app/',
    '6/7 built 5ms RUN ./app.sh check',
    '7/7 built 5ms CMD ["/app/app.sh"]',
  ]);
  assert.equal(events[0], { type: 'stage-start', stage: 0, base: { type: 'image', ref: 'busybox', digest: 'sha256:' + 'b'.repeat(64) } });
  assert.ok(events.some((e) => e.type === 'step-output' && e.n === 3 && e.chunk === 'running ./app.sh build\n'));
  assert.is(events.at(-1)!.type, 'build-done');
});

test('an unchanged rebuild does no work; a late change rebuilds from that step on', async () => {
  const cache = new MemoryCache();
  await runBuild(keyed(TEXT), new FakeExecutor(), cache);
  const again = new FakeExecutor();
  const res = await runBuild(keyed(TEXT), again, cache);
  assert.equal(again.calls, []);
  assert.ok(res.ok && res.cached === 7 && res.built === 0);
  const late = new FakeExecutor();
  const res2 = await runBuild(keyed(TEXT, '3'), late, cache);
  assert.equal(late.calls, ['copy to /etc/app/', 'run ./app.sh check on 5']);
  assert.ok(res2.ok && res2.image.layers[3] === 'run:./app.sh build');
  const noCache = new FakeExecutor();
  await runBuild(keyed(TEXT), noCache, cache, undefined, { noCache: true });
  assert.is(noCache.calls.length, 5, '--no-cache makes every layer again');
});

test('multi-stage: COPY --from gets the other stage layers; unused stages are skipped', async () => {
  const exec = new FakeExecutor();
  const text = 'FROM busybox AS build\nRUN make\nFROM busybox AS unused\nRUN never\nFROM scratch AS final\nCOPY --from=build /out /out\nFROM busybox AS imgcopy\nCOPY --from=busybox /bin/sh /sh';
  const res = await runBuild(keyed(text), exec, new MemoryCache(), undefined, { now: clock() });
  assert.ok(res.ok);
  assert.equal(exec.calls, ['copy to /sh from [busybox-layer]'], 'the target needs no other stage');
  const res2 = await runBuild(keyed(text, '2', 'final'), new FakeExecutor(), new MemoryCache());
  assert.ok(res2.ok && res2.image.layers.join() === 'copy:/out');
  const exec3 = new FakeExecutor();
  await runBuild(keyed(text, '2', 'final'), exec3, new MemoryCache());
  assert.equal(exec3.calls, ['run make on 1', 'copy to /out from [busybox-layer,run:make]']);
});

test('a failing RUN stops the build and reports its output', async () => {
  const exec = new FakeExecutor();
  const cache = new MemoryCache();
  const events: BuildEvent[] = [];
  const plan = keyed('FROM busybox\nRUN echo ok\nRUN make fail\nRUN echo never');
  const res = await runBuild(plan, exec, cache, (e) => events.push(e), { now: clock() });
  assert.not.ok(res.ok);
  if (res.ok) return;
  assert.is(res.error.code, 'E_BUILD_RUN');
  assert.is(res.error.message, 'RUN make fail (line 3) failed with exit code 2:\nrunning\nmake: *** [all] Error 2');
  assert.is(res.output, 'running\nmake: *** [all] Error 2\n');
  assert.is(res.step!.number, 2);
  assert.equal(exec.calls, ['run echo ok on 1', 'run make fail on 2']);
  assert.is(cache.map.size, 1, 'only the good step is cached');
  assert.ok(events.some((e) => e.type === 'step-failed' && e.n === 2));
  assert.not.ok(events.some((e) => e.type === 'build-done'));
});

test('an executor that throws, or a cancel, ends the build with an error value', async () => {
  const exec = new FakeExecutor();
  exec.mkdir = async () => {
    throw new Error('disk full');
  };
  const res = await runBuild(keyed('FROM busybox\nWORKDIR /x'), exec, new MemoryCache());
  assert.ok(!res.ok && res.error.code === 'E_BUILD_STEP' && res.error.message === 'WORKDIR /x (line 2) failed: disk full');
  const ac = new AbortController();
  ac.abort();
  const cancelled = await runBuild(keyed('FROM busybox\nRUN x'), new FakeExecutor(), new MemoryCache(), undefined, { signal: ac.signal });
  assert.ok(!cancelled.ok && cancelled.error.code === 'E_BUILD_CANCELLED');
  const unkeyed = await runBuild(planOk('FROM busybox\nRUN x'), new FakeExecutor(), new MemoryCache());
  assert.ok(!unkeyed.ok && unkeyed.error.code === 'E_BUILD_PLAN', 'an unkeyed plan would make every step share one cache entry');
});

test.run();
