/**
 * A real agent (crun + conmon) supervising a container that exits 3 after
 * 100 ms, restart {always, 100ms, burst 3 within 1m, cooldown 5s}: it backs
 * off, hits the start limit and shows crash-looping (never running), tries
 * again after the cool-down, and `berth reset` clears it at once. The
 * ledger carries the exit codes and causes; `berth why` says it in words.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BerthEvent, EventOf } from '../../src/supervisor/events.js';
import { withAgent, uniqueName, until } from '../helpers/agent-process.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';

test('crash loop: backing-off, crash-looping, a new try after the cool-down, reset clears it', async () => {
  requireRoot();
  requireTool('conmon');
  requireTool('crun');
  const name = uniqueName('crash');
  await withAgent({
    units: {
      [`${name}.yaml`]: [
        `name: ${name}`,
        'kind: service',
        'image: { from: busybox }',
        'run: { command: "sleep 0.1; echo going down; exit 3" }',
        'network: { attach: [] }',
        'restart: { policy: always, delay: 100ms, burst: 3, within: 1m, cooldown: 5s }',
        '',
      ].join('\n'),
    },
  }, async (agent) => {
    const mine = (e: BerthEvent) => 'unit' in e && e.unit === name;

    // backing-off is visible between the first exits
    const backing = await agent.waitEvent((e) => mine(e) && e.type === 'unit.backing-off', 60_000) as EventOf<'unit.backing-off'>;
    assert.ok(backing.delayMs > 0 && backing.delayMs <= 200, `first backoff near 100 ms, got ${backing.delayMs}`);

    // after 3 starts in the interval: crash-looping, as itself, in the API and in `ps`
    const loop = await agent.waitEvent((e) => mine(e) && e.type === 'unit.crash-looping', 60_000) as EventOf<'unit.crash-looping'>;
    assert.match(loop.reason, /exited with code 3/);
    assert.match(loop.reason, /start limit 3/);
    assert.ok(loop.until - loop.time >= 4_900 && loop.until - loop.time <= 5_100, `cool-down of 5 s, got ${loop.until - loop.time} ms`);
    const view = await agent.unit(name);
    assert.is(view?.state, 'crash-looping');
    assert.is(view?.pid, undefined, 'a crash-looping unit has no running instance');
    // `why` and `ps` during one cool-down (same timer before and after the call; a loaded host may need the next loop)
    const duringCoolDown = <T>(what: string, fn: () => Promise<T>) => until(what, async () => {
      const before = await agent.unit(name);
      if (before?.state !== 'crash-looping') return undefined;
      const value = await fn();
      const after = await agent.unit(name);
      return after?.state === 'crash-looping' && after.timerAt === before.timerAt ? value : undefined;
    }, 90_000, 200);
    const whyText = await duringCoolDown('why during a cool-down', async () => JSON.stringify(await agent.client.get(`/v1/units/${name}/why`)));
    assert.match(whyText, /crash-looping/);
    assert.match(whyText, /code 3/);
    const ps = await duringCoolDown('ps during a cool-down', () => agent.cli(['ps', '-a']));
    assert.is(ps.code, 0, ps.stderr);
    const row = ps.stdout.split('\n').find((l) => l.startsWith(name)) ?? '';
    assert.match(row, /crash-looping/);
    assert.not.match(row, /\brunning\b/);

    // the exits before it carry their codes and the last log line; the restarts their cause
    const all = (await agent.events()).filter(mine);
    const exits = all.filter((e): e is EventOf<'unit.exited'> => e.type === 'unit.exited' && e.seq < loop.seq);
    assert.is(exits.length, 3, 'three starts, three exits before the limit');
    for (const e of exits) {
      assert.is(e.code, 3);
      assert.ok(e.lastLogLines.includes('going down'), `last log lines: ${JSON.stringify(e.lastLogLines)}`);
    }
    const restarts = all.filter((e): e is EventOf<'unit.restarting'> => e.type === 'unit.restarting' && e.seq < loop.seq);
    assert.ok(restarts.length >= 2 && restarts.every((r) => r.cause === 'exit'), JSON.stringify(restarts));

    // after the cool-down: a new try, no earlier
    const retry = await agent.waitEvent((e) => mine(e) && e.type === 'unit.starting' && e.seq > loop.seq, 20_000);
    assert.ok(retry.time >= loop.until - 50, `the retry came ${loop.until - retry.time} ms before the cool-down ended`);

    // in a later cool-down, `berth reset`: it starts at once, before the cool-down would have ended, with a fresh history
    // (a CLI slower than the rest of the cool-down on a loaded host lands too late to show that: try the next loop)
    let since = retry.seq;
    let resetEvent: BerthEvent | undefined;
    for (let attempt = 1; attempt <= 3 && !resetEvent; attempt++) {
      const loop2 = await agent.waitEvent((e) => mine(e) && e.type === 'unit.crash-looping' && e.seq > since, 60_000) as EventOf<'unit.crash-looping'>;
      const reset = await agent.cli(['reset', name]);
      assert.is(reset.code, 0, reset.stderr);
      const r = await agent.waitEvent((e) => mine(e) && e.type === 'unit.reset' && e.seq > loop2.seq, 10_000);
      since = r.seq;
      if (r.time >= loop2.until - 200) continue;
      const next = await agent.waitEvent((e) => mine(e) && e.type === 'unit.starting' && e.seq > loop2.seq, 10_000);
      assert.ok(next.seq > r.seq, 'the first start after the crash loop came from the reset');
      assert.ok(next.time < loop2.until, 'reset started it before the cool-down would have');
      resetEvent = r;
    }
    assert.ok(resetEvent, 'a reset landed during a cool-down');
    const firstRestart = await agent.waitEvent((e) => mine(e) && e.type === 'unit.restarting' && e.seq > resetEvent!.seq, 30_000) as EventOf<'unit.restarting'>;
    assert.match(firstRestart.reason, /restart 1 in/, 'the history was cleared');
    assert.not.match(JSON.stringify(await agent.unit(name)), /crash-looping/);

    // `berth why` in words while it loops again
    await agent.waitEvent((e) => mine(e) && e.type === 'unit.crash-looping' && e.seq > resetEvent!.seq, 60_000);
    const text = await agent.cli(['why', name]);
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${name} is (crash-looping|backing off|starting|running)`));
    assert.match(text.stdout, /exited with code 3/);
    assert.match(text.stdout, /going down/);
  });
});

test.run();
