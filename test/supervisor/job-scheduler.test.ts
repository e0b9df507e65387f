import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { settle } from '../../src/runtime/fake/clock.js';
import { JobScheduler } from '../../src/supervisor/job-scheduler.js';
import { makeAgent } from './agent-fixture.js';

const job = 'name: nightly\nkind: job\nimage: { from: busybox }\nrun: { command: [backup] }\nschedule: { cron: "0 3 * * *", keep: 2 }\n';

test('job runs are recorded with code, duration and last lines, bounded, and survive a new scheduler', async () => {
  const t = makeAgent();
  try {
    t.folders.set('/u', [job]);
    t.driver.script('nightly', { exitAfterMs: 20, exitCode: 0, logLines: ['saved 3 files'] }, { exitAfterMs: 20, exitCode: 4, logLines: ['disk full'] });
    await t.agent.apply('/u');
    for (let i = 0; i < 3; i++) {
      await t.agent.get('nightly').start('manual');
      await t.clock.advance(100);
      await settle();
    }
    const runs = t.agent.jobs.runs('nightly');
    assert.is(runs.length, 2, 'keep: 2');
    assert.equal(runs.map((r) => [r.run, r.code]), [[2, 4], [3, 4]]);
    assert.equal(runs[1]!.log, ['disk full']);
    assert.ok(t.agent.jobs.nextRun('nightly') instanceof Date);
    const again = new JobScheduler(t.agent, t.root);
    again.sync();
    assert.equal(again.runs('nightly').map((r) => r.run), [2, 3]);
    again.close();
    t.agent.jobs.close();
  } finally {
    t.cleanup();
  }
});

test.run();
