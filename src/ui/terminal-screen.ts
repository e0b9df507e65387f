/**
 * The terminal as the dashboard draws on it: the stream Ink renders into.
 * Ink runs with `debug: true`, which writes each whole frame to its stdout
 * (no log-update, no cursor arithmetic); this stream keeps the latest frame,
 * paints at most `maxFps` times a second, and writes only the rows that
 * changed (paint-frame.ts says why Ink's own incremental mode is not used).
 * It owns the alternate screen: entering hides the cursor and turns autowrap
 * off (a row can never wrap or scroll the screen), leaving restores both.
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { paintFrame } from './paint-frame.js';

/** Synchronized output: terminals that know it show a frame at once. */
const BEGIN = '\u001B[?2026h';
const END = '\u001B[?2026l';

export interface TerminalScreenOptions {
  /** paints per second at most (default 15); the first frame after a quiet spell goes out at once */
  maxFps?: number;
  /** called after each paint with the rows on screen, without colours (tests compare it to tmux) */
  onPaint?: (rows: string[]) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (t: NodeJS.Timeout) => void;
}

/** A write stream for Ink that paints frames onto the real terminal `out`. */
export class TerminalScreen extends EventEmitter {
  /** Ink and the hooks read these as they would from process.stdout. */
  readonly isTTY = true;
  private shown: string[] | undefined;
  private pending: string | undefined;
  private lastPaint = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => NodeJS.Timeout;
  private readonly clearTimer: (t: NodeJS.Timeout) => void;

  constructor(private readonly out: NodeJS.WriteStream, private readonly opts: TerminalScreenOptions = {}) {
    super();
    this.interval = 1000 / Math.max(1, opts.maxFps ?? 15);
    this.now = opts.now ?? (() => performance.now());
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t));
  }

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  /** Switches to the alternate screen (the scrollback stays as it was), cursor hidden, autowrap off. */
  enter(): void {
    if (this.active) return;
    this.active = true;
    this.shown = undefined;
    this.out.write('\u001B[?1049h\u001B[?25l\u001B[?7l\u001B[H\u001B[2J');
    this.out.on('resize', this.onResize);
  }

  /** Back to the normal screen with the cursor and autowrap restored; frames written later are dropped. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.out.off('resize', this.onResize);
    this.out.write('\u001B[?7h\u001B[?25h\u001B[?1049l');
  }

  /** Ink writes a whole frame; an empty write (Ink's flush barrier) draws nothing. */
  write(chunk: string | Uint8Array, encoding?: BufferEncoding | (() => void), cb?: () => void): boolean {
    const done = typeof encoding === 'function' ? encoding : cb;
    const frame = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (frame !== '' && this.active) {
      this.pending = frame;
      this.schedule();
    }
    if (done) queueMicrotask(done);
    return true;
  }

  /** Paints the latest frame now, if one is waiting. */
  flush(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    const frame = this.pending;
    if (frame === undefined || !this.active) return;
    this.pending = undefined;
    this.lastPaint = this.now();
    const paint = paintFrame(this.shown, frame, { columns: this.columns, rows: this.rows }, stringWidth);
    this.shown = paint.lines;
    if (paint.out) this.out.write(BEGIN + paint.out + END);
    this.opts.onPaint?.(paint.lines.map((l) => stripVTControlCharacters(l)));
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastPaint + this.interval - this.now();
    if (wait <= 0) this.flush();
    else this.timer = this.setTimer(() => this.flush(), wait);
  }

  // the screen's contents are unknown after a resize (the terminal may have cut, moved or reflowed rows):
  // the next paint starts from a cleared screen; then Ink and the size hooks re-render for the new size
  private readonly onResize = (): void => {
    this.shown = undefined;
    this.emit('resize');
  };
}
