/**
 * A tmux pane running the dashboard, for end-to-end tests: keys in,
 * capture-pane out, and a check that the pane shows exactly the frame the
 * dashboard last painted (BERTH_DASH_FRAME_FILE), so a stale row left by a
 * previous frame fails the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows without trailing blanks, and no blank rows at the end. */
function normalise(text: string): string[] {
  const rows = text.split('\n').map((l) => l.trimEnd());
  while (rows.length && rows.at(-1) === '') rows.pop();
  return rows;
}

/** One tmux session. */
export class Pane {
  constructor(readonly session: string, readonly frameFile?: string) {}

  /** Starts `command` in a new detached session of `columns`x`rows`. */
  static start(session: string, command: string, opts: { columns: number; rows: number; cwd: string; frameFile?: string }): Pane {
    const env = opts.frameFile ? `BERTH_DASH_FRAME_FILE=${opts.frameFile} ` : '';
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(opts.columns), '-y', String(opts.rows), '-c', opts.cwd, `${env}${command}`]);
    return new Pane(session, opts.frameFile);
  }

  text(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    for (const k of keys) execFileSync('tmux', ['send-keys', '-t', this.session, k]);
  }

  /** Sends keys one at a time, as a user types. */
  async type(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.keys(k);
      await sleep(150);
    }
  }

  resize(columns: number, rows: number): void {
    execFileSync('tmux', ['resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
  }

  /** Waits until the pane matches (the host may be loaded: generous timeouts). */
  async see(re: RegExp, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.text();
      if (re.test(last)) return last;
      await sleep(100);
    }
    throw new Error(`the dashboard never showed ${re} within ${timeoutMs} ms; last screen:\n${last}`);
  }

  /**
   * Waits until the pane shows exactly the rows last painted (colours aside): every row the dashboard
   * did not repaint must still be right. With `rows`, also waits for a frame of that height (after a resize).
   * Returns the screen.
   */
  async showsFrame(rows?: number, timeoutMs = 15_000): Promise<string> {
    if (!this.frameFile) throw new Error('this pane has no frame file');
    const end = Date.now() + timeoutMs;
    let pane: string[] = [];
    let frame: string[] = [];
    while (Date.now() < end) {
      await sleep(100);
      if (!existsSync(this.frameFile)) continue;
      frame = normalise(readFileSync(this.frameFile, 'utf8'));
      pane = normalise(this.text());
      if (pane.join('\n') === frame.join('\n') && (rows === undefined || frame.length === rows)) return pane.join('\n');
    }
    const diff = Array.from({ length: Math.max(pane.length, frame.length) }, (_, i) => `${pane[i] === frame[i] ? ' ' : '!'} ${String(i + 1).padStart(2)} pane  |${pane[i] ?? ''}\n${pane[i] === frame[i] ? '' : `     frame |${frame[i] ?? ''}\n`}`).join('');
    throw new Error(`the pane does not show the painted frame (stale or misplaced rows):\n${diff}`);
  }

  /** Types q and waits (up to 10 s) for berth dash, and with it the tmux session, to end; true when it did. */
  async quit(): Promise<boolean> {
    await this.type('q');
    const end = Date.now() + 10_000;
    while (Date.now() < end && this.alive()) await sleep(100);
    return !this.alive();
  }

  alive(): boolean {
    try {
      execFileSync('tmux', ['has-session', '-t', this.session], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.session], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
