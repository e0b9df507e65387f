import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DashFeed, type FeedTimers } from '../../src/ui/dash-feed.js';
import { FakeClient, unitView } from './fake-client.js';

/** Timers that move only when told. */
class ManualTimers implements FeedTimers {
  t = 0;
  private next = 1;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.queue.delete(h as number);
  }
  now(): number {
    return this.t;
  }
  /** Runs every timer due within `ms`, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.queue.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.queue.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await tick();
    }
    this.t = end;
    await tick();
  }
}
const tick = () => new Promise((r) => setImmediate(r));

async function started(units = [unitView('a'), unitView('b')], lastSeq = 10) {
  const client = new FakeClient(units, lastSeq);
  const timers = new ManualTimers();
  const feed = new DashFeed(client, { timers, flushMs: 100, backoff: { firstMs: 500, maxMs: 4000 } });
  let flushes = 0;
  feed.subscribe(() => flushes++);
  feed.start();
  await tick();
  await tick();
  return { client, timers, feed, flushes: () => flushes };
}

test('first frame from one snapshot, then the stream from the seq before it (history) on', async () => {
  const { client, feed } = await started();
  assert.is(feed.getState().connection, 'live');
  assert.equal(feed.getState().units.map((u) => u.name), ['a', 'b']);
  assert.equal(client.gets, ['/v1/info', '/v1/units']);
  assert.equal(client.streams.map((s) => s.path), ['/v1/events?since=0&follow=true']);
  feed.close();
});

test('events fold into units, coalesced into one flush; replayed history does not move state', async () => {
  const { client, timers, feed, flushes } = await started();
  const before = flushes();
  const stream = client.open('/v1/events')[0]!;
  stream.push({ type: 'unit.paused', unit: 'a', seq: 3, time: 1 }); // history (seq ≤ 10): listed, not folded
  for (let i = 0; i < 50; i++) client.emit({ type: i % 2 ? 'unit.paused' : 'unit.unpaused', unit: 'b' });
  client.emit({ type: 'unit.paused', unit: 'b' });
  assert.is(flushes(), before, 'nothing flushed before the flush interval');
  await timers.advance(100);
  assert.is(flushes(), before + 1, 'one flush for 52 events');
  const s = feed.getState();
  assert.is(s.units.find((u) => u.name === 'a')!.state, 'running');
  assert.is(s.units.find((u) => u.name === 'b')!.state, 'paused');
  assert.is(s.lastSeq, 61);
  assert.is(s.events.length, 52);
  feed.close();
});

test('unchanged units keep their identity across flushes (rows stay memoised)', async () => {
  const { client, timers, feed } = await started();
  const a1 = feed.getState().units[0];
  client.emit({ type: 'unit.paused', unit: 'b' });
  await timers.advance(100);
  assert.is(feed.getState().units[0], a1);
  assert.is.not(feed.getState().units[1]!.state, 'running');
  feed.close();
});

test('agent gone: reconnecting with backoff, then resume after the last seq (no loss, no double)', async () => {
  const { client, timers, feed } = await started();
  client.emit({ type: 'unit.paused', unit: 'a' }); // seq 11
  await timers.advance(100);
  client.down = true;
  client.open('/v1/events')[0]!.end();
  await tick();
  assert.is(feed.getState().connection, 'reconnecting');
  assert.is(feed.getState().retryAt, timers.t + 500);
  await timers.advance(500); // first retry fails
  assert.is(feed.getState().connection, 'reconnecting');
  assert.match(feed.getState().error ?? '', /no agent answers/);
  assert.is(feed.getState().retryAt, timers.t + 1000, 'the delay doubles');
  client.down = false;
  await timers.advance(1000);
  assert.is(feed.getState().connection, 'live');
  const resumed = client.open('/v1/events');
  assert.is(resumed.length, 1);
  assert.is(resumed[0]!.path, '/v1/events?since=11&follow=true');
  // the server replays nothing twice; even if it did, seq 11 would be dropped
  resumed[0]!.push({ type: 'unit.unpaused', unit: 'a', seq: 11, time: 2 });
  client.emit({ type: 'unit.stopping', unit: 'a', cause: 'manual' });
  await timers.advance(100);
  const s = feed.getState();
  assert.is(s.units[0]!.state, 'stopping');
  assert.equal(s.events.filter((e) => e.seq > 10).map((e) => e.seq), [11, 12]);
  feed.close();
});

test('an event about an unknown unit re-reads the list once', async () => {
  const { client, timers, feed } = await started();
  client.units = [...client.units, unitView('c')];
  client.emit({ type: 'unit.started', unit: 'c', instance: 'c-1' });
  await tick();
  await timers.advance(100);
  assert.equal(feed.getState().units.map((u) => u.name), ['a', 'b', 'c']);
  assert.is(client.gets.filter((g) => g === '/v1/units').length, 2);
  feed.close();
});

test('close stops the stream and retries', async () => {
  const { client, timers, feed } = await started();
  feed.close();
  assert.is(client.open('/v1/events').length, 0);
  await timers.advance(60_000);
  assert.is(client.gets.length, 2);
});

test.run();
