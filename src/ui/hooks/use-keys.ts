/**
 * `useInput` with a handler that always sees the latest render's state.
 * Ink re-subscribes a changed handler in a passive effect, which can run a
 * render late: a key pressed right after a change would reach the old
 * closure (a confirm answered by the previous selection). A ref avoids it.
 * Keys that arrive together ("jr" from a fast typist or tmux send-keys) are
 * handled one at a time, each after the render of the one before.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useEffect, useRef } from 'react';

/** Calls the latest `handler` for each key; `split` false passes text typed at once whole (a prompt takes a paste). */
export function useKeys(handler: (input: string, key: Key) => void, split = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  const splitRef = useRef(split);
  splitRef.current = split;
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const stable = useCallback((input: string, key: Key) => {
    const plain = !key.ctrl && !key.meta && !key.return && !key.escape && !key.tab && !key.backspace && !key.delete;
    if (!plain || !splitRef.current || [...input].length <= 1) return ref.current(input, key);
    const chars = [...input];
    const next = () => {
      const ch = chars.shift();
      if (ch === undefined) return;
      ref.current(ch, { ...key, shift: /[A-Z]/.test(ch) });
      if (chars.length) timer.current = setTimeout(next, 0);
    };
    next();
  }, []);
  useInput(stable);
}
