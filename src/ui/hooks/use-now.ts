/**
 * A clock that ticks, for countdowns and uptimes.
 */
import { useEffect, useState } from 'react';

/** Epoch ms, refreshed every `everyMs` (default 1 s). */
export function useNow(everyMs = 1000, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const t = setInterval(() => setNow(clock()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, clock]);
  return now;
}
