/**
 * The clock the supervisor's timers go through. Production uses the real
 * one; tests inject `FakeClock` (src/runtime/fake/clock.ts), which has the
 * same shape, so no test sleeps.
 */

/** Time and timers, injectable. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock (timers are unref'd: they never keep the process alive on their own). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
