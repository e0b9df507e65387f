/**
 * TerminalScreen: Ink's frames painted at most maxFps times a second (the
 * latest wins), a resize repaints from a cleared screen, entering and leaving
 * the alternate screen restore cursor and autowrap. Fake clock and stream.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { TerminalScreen } from '../../src/ui/terminal-screen.js';

class FakeOut extends EventEmitter {
  columns = 20;
  rows = 5;
  written: string[] = [];
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
}

function setup() {
  const out = new FakeOut();
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const painted: string[][] = [];
  const screen = new TerminalScreen(out as unknown as NodeJS.WriteStream, {
    maxFps: 10,
    now: () => now,
    setTimer: (fn, ms) => {
      timers.push({ at: now + ms, fn });
      return {} as NodeJS.Timeout;
    },
    clearTimer: () => timers.splice(0),
    onPaint: (rows) => painted.push(rows),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { out, screen, painted, advance, timers };
}

test('enter and leave: alternate screen, cursor hidden then shown, autowrap off then on', () => {
  const { out, screen } = setup();
  screen.enter();
  assert.match(out.written.join(''), /\u001B\[\?1049h.*\u001B\[\?25l.*\u001B\[\?7l/);
  out.written = [];
  screen.leave();
  assert.is(out.written.join(''), '\u001B[?7h\u001B[?25h\u001B[?1049l');
  screen.write('late frame');
  assert.is(out.written.length, 1, 'nothing is drawn after leaving');
});

test('the first frame goes out at once; frames within the interval coalesce to the latest', () => {
  const { out, screen, painted, advance, timers } = setup();
  screen.enter();
  out.written = [];
  screen.write('a\nb');
  assert.equal(painted, [['a', 'b']]);
  screen.write('a\nc');
  screen.write('a\nd');
  assert.is(painted.length, 1, 'held back within 100 ms');
  assert.is(timers.length, 1);
  advance(100);
  assert.equal(painted.at(-1), ['a', 'd']);
  const last = out.written.at(-1)!;
  assert.match(last, /\u001B\[2;1Hd/);
  assert.not.match(last, /\u001B\[1;1H/, 'the unchanged first row is not rewritten');
  assert.ok(last.startsWith('\u001B[?2026h') && last.endsWith('\u001B[?2026l'), 'one synchronized update');
});

test('a resize repaints the whole screen and tells Ink', () => {
  const { out, screen, advance } = setup();
  let resized = 0;
  screen.on('resize', () => resized++);
  screen.enter();
  screen.write('a\nb');
  advance(200);
  out.columns = 30;
  out.emit('resize');
  assert.is(resized, 1);
  assert.is(screen.columns, 30);
  screen.write('a\nb');
  advance(200);
  assert.match(out.written.at(-1)!, /\u001B\[H\u001B\[2J.*\u001B\[1;1Ha.*\u001B\[2;1Hb/, 'cleared and every row written again');
});

test('an empty write (Ink\'s flush barrier) draws nothing and calls back', async () => {
  const { out, screen } = setup();
  screen.enter();
  out.written = [];
  let called = false;
  screen.write('', () => (called = true));
  await Promise.resolve();
  assert.ok(called);
  assert.is(out.written.length, 0);
});

test.run();
