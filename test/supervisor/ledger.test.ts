import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../src/supervisor/ledger.js';
import type { BerthEvent } from '../../src/supervisor/events.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'bt-ledger-')); dirs.push(d); return d; };
const started = (unit: string, i: number) => ({ type: 'unit.started' as const, unit, instance: `${unit}-${i}` });

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test('append numbers events, since returns exactly what follows', () => {
  let now = 1000;
  const l = Ledger.open({ dir: tmp(), now: () => now++ });
  const e1 = l.append(started('web', 1));
  const e2 = l.append({ type: 'unit.exited', unit: 'web', code: 3, signal: null, oomKilled: false, lastLogLines: ['boom'] });
  l.append(started('db', 1));
  assert.is(e1.seq, 1);
  assert.is(e2.seq, 2);
  assert.is(e1.time, 1000);
  assert.equal(l.since(0).map((e) => e.seq), [1, 2, 3]);
  assert.equal(l.since(2).map((e) => e.seq), [3]);
  assert.equal(l.since(3), []);
  assert.equal(l.since(0, { unit: 'web' }).map((e) => e.seq), [1, 2]);
  assert.equal(l.since(0, { types: ['unit.exited'] }).map((e) => e.seq), [2]);
  assert.equal(l.tail(1, { unit: 'web' }).map((e) => e.seq), [2]);
  l.close();
});

test('seq continues after reopening, and reads come from disk', () => {
  const dir = tmp();
  const a = Ledger.open({ dir });
  for (let i = 0; i < 5; i++) a.append(started('web', i));
  a.close();
  const b = Ledger.open({ dir });
  assert.is(b.lastSeq, 5);
  assert.is(b.append(started('web', 5)).seq, 6);
  assert.equal(b.since(3).map((e) => e.seq), [4, 5, 6]);
  b.close();
});

test('rotation keeps only the newest segments; since() stays gap-free across them', () => {
  const dir = tmp();
  const l = Ledger.open({ dir, maxSegmentBytes: 600, maxSegments: 3, cacheSize: 5, fsync: false });
  for (let i = 0; i < 100; i++) l.append(started('web', i));
  const segs = readdirSync(dir).sort();
  assert.is(segs.length, 3);
  const first = l.firstSeq;
  assert.ok(first > 1, 'old events were dropped');
  assert.is(segs[0], `seg-${String(first).padStart(20, '0')}.ndjson`);
  const all = l.since(0); // older than kept: starts at firstSeq
  assert.is(all[0]!.seq, first);
  all.forEach((e, i) => assert.is(e.seq, first + i));
  assert.is(all[all.length - 1]!.seq, 100);
  const mid = l.since(first + 2); // beyond the in-memory cache: read from disk
  assert.is(mid[0]!.seq, first + 3);
  assert.is(mid.length, 100 - first - 2);
  l.close();
  const again = Ledger.open({ dir, maxSegmentBytes: 600, maxSegments: 3 });
  assert.is(again.append(started('web', 100)).seq, 101);
  again.close();
});

test('a torn last line is cut off on open and numbering continues', () => {
  const dir = tmp();
  const l = Ledger.open({ dir });
  for (let i = 0; i < 3; i++) l.append(started('web', i));
  l.close();
  const seg = join(dir, readdirSync(dir)[0]!);
  appendFileSync(seg, '{"seq":4,"time":1,"type":"unit.star');
  const r = Ledger.open({ dir });
  assert.is(r.repaired, 1);
  assert.is(r.lastSeq, 3);
  assert.is(r.append(started('web', 3)).seq, 4);
  r.close();
  const lines = readFileSync(seg, 'utf8').trim().split('\n').map((x) => JSON.parse(x) as BerthEvent);
  assert.equal(lines.map((e) => e.seq), [1, 2, 3, 4]);
});

test('garbage or a repeated seq at the tail is cut off too', () => {
  const dir = tmp();
  const l = Ledger.open({ dir });
  l.append(started('web', 0));
  l.close();
  const seg = join(dir, readdirSync(dir)[0]!);
  appendFileSync(seg, '{"seq":1,"time":1,"type":"unit.started"}\nnot json\n');
  const r = Ledger.open({ dir });
  assert.is(r.repaired, 2);
  assert.is(r.lastSeq, 1);
  r.close();
});

test('an empty newest segment takes its number from its name', () => {
  const dir = tmp();
  writeFileSync(join(dir, `seg-${String(42).padStart(20, '0')}.ndjson`), '');
  const l = Ledger.open({ dir });
  assert.is(l.lastSeq, 41);
  assert.is(l.append(started('web', 0)).seq, 42);
  l.close();
});

test('subscribers get live events; follow() gives backlog then live without gaps', () => {
  const l = Ledger.open({ dir: tmp() });
  l.append(started('web', 0));
  l.append(started('db', 0));
  const live: number[] = [];
  const off = l.subscribe((e) => live.push(e.seq), { unit: 'web' });
  const followed: number[] = [];
  const stop = l.follow(0, (e) => followed.push(e.seq));
  l.subscribe(() => { throw new Error('a buggy subscriber'); });
  l.append(started('web', 1));
  l.append(started('db', 1));
  off();
  l.append(started('web', 2));
  stop();
  l.append(started('web', 3));
  assert.equal(live, [3]);
  assert.equal(followed, [1, 2, 3, 4, 5]);
  l.close();
});

test('batch durability: append returns at once; subscribers hear after the group fsync, in order', async () => {
  const dir = tmp();
  const l = Ledger.open({ dir, durability: 'batch', maxSegmentBytes: 900 });
  const heard: number[] = [];
  l.subscribe((e) => heard.push(e.seq));
  for (let i = 0; i < 30; i++) l.append(started('web', i)); // crosses several rotations
  const followed: number[] = [];
  l.follow(25, (e) => followed.push(e.seq));
  await l.flush();
  assert.equal(heard, Array.from({ length: 30 }, (_, i) => i + 1));
  assert.equal(followed, [26, 27, 28, 29, 30], 'backlog then live, no duplicate');
  l.append(started('web', 30));
  l.close(); // syncs and tells what is pending
  assert.is(heard[heard.length - 1], 31);
  const again = Ledger.open({ dir });
  assert.equal(again.since(0).map((e) => e.seq), Array.from({ length: 31 }, (_, i) => i + 1));
  again.close();
});

test('kill -9 while appending: every acknowledged event is there, in order, no gaps', async () => {
  const dir = tmp();
  const writer = (round: number) => `
    import { Ledger } from ${JSON.stringify(new URL('../../src/supervisor/ledger.ts', import.meta.url).pathname)};
    const l = Ledger.open({ dir: ${JSON.stringify(dir)}, maxSegmentBytes: 4096, maxSegments: 1000, durability: '${round ? 'batch' : 'each'}' });
    for (let i = 0; ; i++) { const e = l.append({ type: 'unit.started', unit: 'web', instance: 'web-' + i }); process.stdout.write(e.seq + '\\n'); }
  `;
  let acked = 0;
  for (let round = 0; round < 2; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.split('\n').length > 50 + round * 37) child.kill('SIGKILL');
    });
    await new Promise((r) => child.on('close', r));
    const seqs = out.split('\n').filter(Boolean).map(Number);
    acked = Math.max(acked, seqs[seqs.length - 1] ?? 0);
  }
  const l = Ledger.open({ dir, maxSegmentBytes: 4096, maxSegments: 1000 });
  const all = l.since(0);
  all.forEach((e, i) => assert.is(e.seq, i + 1));
  assert.ok(l.lastSeq >= acked, `acknowledged ${acked}, kept ${l.lastSeq}`);
  l.close();
});

test.run();
