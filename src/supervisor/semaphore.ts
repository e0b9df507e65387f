/**
 * A counting semaphore: caps how many units start at once (the boot-storm
 * limit). `acquire` resolves to a release function; waiters go first come,
 * first served.
 */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private free: number;

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Waits for a slot; call the returned function once to give it back. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.waiting.shift();
          if (next) next();
          else this.free++;
        });
      };
      if (this.free > 0) {
        this.free--;
        grant();
      } else this.waiting.push(grant);
    });
  }
}
