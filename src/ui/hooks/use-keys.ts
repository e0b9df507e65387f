/**
 * `useInput` with a handler that always sees the latest render's state.
 * Ink re-subscribes a changed handler in a passive effect, which can run a
 * render late: a key pressed right after a change would reach the old
 * closure (a confirm answered by the previous selection). A ref avoids it.
 * Keys that arrive together ("jr" from a fast typist or tmux send-keys) are
 * handled one at a time, each after the render of the one before (not after
 * a timer: under load a timer can fire before React has rendered).
 */
import { useInput, type Key } from 'ink';
import { useCallback, useEffect, useRef } from 'react';

/** Calls the latest `handler` for each key; `split` false passes text typed at once whole (a prompt takes a paste). */
export function useKeys(handler: (input: string, key: Key) => void, split = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  const splitRef = useRef(split);
  splitRef.current = split;
  const queue = useRef<{ ch: string; key: Key }[]>([]);
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  const pump = useCallback(() => {
    clearTimeout(timer.current);
    const next = queue.current.shift();
    if (!next) return;
    ref.current(next.ch, next.key);
    // the next key waits for the render this one caused (the effect below); a key that changed nothing renders nothing
    if (queue.current.length) timer.current = setTimeout(pump, 30);
  }, []);
  // after every commit the handler in `ref` sees the state the previous key produced
  useEffect(() => {
    if (queue.current.length) pump();
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  const stable = useCallback((input: string, key: Key) => {
    const plain = !key.ctrl && !key.meta && !key.return && !key.escape && !key.tab && !key.backspace && !key.delete;
    if (!plain || !splitRef.current || [...input].length <= 1) {
      if (!queue.current.length) return ref.current(input, key);
      // behind keys still waiting: keep the order
      queue.current.push({ ch: input, key });
      return;
    }
    const wasIdle = !queue.current.length;
    for (const ch of input) queue.current.push({ ch, key: { ...key, shift: /[A-Z]/.test(ch) } });
    if (wasIdle) pump();
  }, [pump]);
  useInput(stable);
}
