/**
 * Jobs on an every-second schedule (cron "* * * * * *") in real containers:
 * a short job records several runs with their exit codes; a job that runs
 * longer than a second has the ticks that come while it runs skipped
 * (concurrency: skip), each recorded as a skipped run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventOf } from '../../src/supervisor/events.js';
import { withAgent, uniqueName, until } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

const job = (name: string, command: string) => [
  `name: ${name}`, 'kind: job', 'image: { from: busybox }', 'network: { attach: [] }',
  'schedule: { cron: "* * * * * *", concurrency: skip }', 'restart: { policy: "no" }', `run: { command: "${command}" }`, '',
].join('\n');

test('every-second jobs: runs with exit codes, overlapping ticks skipped', async () => {
  requireRoot();
  requireTool('conmon');
  const id = uniqueName();
  const [quick, slow] = [`${id}-quick`, `${id}-slow`];
  await withAgent({ units: { 'quick.yaml': job(quick, 'exit 0'), 'slow.yaml': job(slow, 'sleep 2.5; exit 4') } }, async (agent) => {
    const finished = (u: string) => (e: BerthEvent): e is EventOf<'job.run.finished'> => e.type === 'job.run.finished' && e.unit === u;
    // three real (not skipped) runs of quick, one of slow
    const events = await until('3 runs of quick and 1 of slow', async () => {
      const all = await agent.events();
      const done = (u: string) => all.filter(finished(u)).filter((e) => !e.skipped).length;
      return done(quick) >= 3 && done(slow) >= 1 ? all : undefined;
    }, 60_000, 250);

    const quickDone = events.filter(finished(quick)).filter((e) => !e.skipped);
    assert.ok(quickDone.length >= 3, `quick ran ${quickDone.length} times`);
    for (const e of quickDone) assert.is(e.code, 0);
    const quickStarted = events.filter((e) => e.type === 'job.run.started' && e.unit === quick);
    for (const e of quickDone) assert.ok(quickStarted.some((s) => (s as EventOf<'job.run.started'>).run === e.run), `run ${e.run} has a start event`);

    const slowDone = events.filter(finished(slow));
    const slowRuns = slowDone.filter((e) => !e.skipped);
    const skipped = slowDone.filter((e) => e.skipped);
    assert.ok(slowRuns.length >= 1 && slowRuns.every((e) => e.code === 4), JSON.stringify(slowRuns));
    assert.ok(slowRuns.every((e) => e.durationMs >= 2_000 && e.durationMs < 5_000), `slow runs last 2.5 s (its run time, not the teardown): ${slowRuns.map((e) => e.durationMs).join(', ')}`);
    assert.ok(skipped.length >= 1, 'ticks during a 2.5 s run are skipped');
    // a skipped tick happens while a run is going: between that run's start and finish
    const starts = events.filter((e): e is EventOf<'job.run.started'> => e.type === 'job.run.started' && e.unit === slow);
    const s = skipped[0]!;
    const open = starts.filter((st) => st.seq < s.seq).pop();
    assert.ok(open, 'a run had started before the skip');
    const closed = slowRuns.find((f) => f.run === open!.run);
    assert.ok(!closed || closed.seq > s.seq, 'the skip came while that run was going');
    // the API lists the next run
    const view = await agent.unit(quick);
    assert.ok(view?.nextRun && view.nextRun > Date.now() - 2000, `nextRun ${view?.nextRun}`);
  });
});

test.run();
