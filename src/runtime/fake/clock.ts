/**
 * A fake clock for exact tests: time moves only when a test calls
 * `advance`, which fires due timers in order and lets promise callbacks run
 * between them. It has the shape of the supervisor's `Clock`.
 */

interface Timer { id: number; at: number; fn: () => void }

/** Manual time and timers. */
export class FakeClock {
  private t: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** How many timers are pending (for tests that check nothing leaks). */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }

  /** Fires everything pending (up to `limitMs` ahead), e.g. to drain a scenario. */
  async runAll(limitMs = 86_400_000): Promise<void> {
    const end = this.t + limitMs;
    while (this.timers.length && this.t < end) {
      const next = Math.min(...this.timers.map((x) => x.at));
      await this.advance(Math.max(0, Math.min(next, end) - this.t));
    }
  }
}

/** Lets pending promise callbacks (and their follow-ups) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
