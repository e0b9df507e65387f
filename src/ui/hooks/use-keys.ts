/**
 * `useInput` with a handler that always sees the latest render's state.
 * Ink re-subscribes a changed handler in a passive effect, which can run a
 * render late: a key pressed right after a change would reach the old
 * closure (a confirm answered by the previous selection). A ref avoids it.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

/** Calls the latest `handler` for each key. */
export function useKeys(handler: (input: string, key: Key) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const stable = useCallback((input: string, key: Key) => ref.current(input, key), []);
  useInput(stable);
}
