/**
 * Follows the logs of one unit, or of several (each line prefixed by its
 * unit), through GET /v1/units/:name/logs?follow=true. Keeps the last
 * `keep` lines; reconnects a stream that ends while the view is open.
 */
import { useEffect, useState } from 'react';
import type { DashClient, LogLine } from '../dash-client.js';

/** A log line and the unit it came from. */
export interface UnitLogLine extends LogLine {
  unit: string;
  /** increasing per hook instance, a stable React key */
  id: number;
}

/** Lines of `units` as they arrive, oldest first (batched every 100 ms). */
export function useLogs(client: DashClient, units: string[], tail = 100, keep = 2000): { lines: UnitLogLine[]; error?: string } {
  const [state, setState] = useState<{ lines: UnitLogLine[]; error?: string }>({ lines: [] });
  const key = units.join('\n');
  useEffect(() => {
    setState({ lines: [] });
    if (!key) return;
    let live = true;
    let id = 0;
    let pending: UnitLogLine[] = [];
    const flush = setInterval(() => {
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      setState((s) => ({ ...s, lines: [...s.lines, ...batch].slice(-keep) }));
    }, 100);
    const stops: (() => void)[] = [];
    const timers: NodeJS.Timeout[] = [];
    const follow = (unit: string, t: number) => {
      const s = client.stream<LogLine>(`/v1/units/${encodeURIComponent(unit)}/logs?tail=${t}&follow=true`, (l) => pending.push({ ...l, unit, id: id++ }));
      stops.push(s.stop);
      s.done.catch((err: Error) => {
        if (live) setState((st) => ({ ...st, error: `${unit}: ${err.message}` }));
      }).finally(() => {
        if (live) timers.push(setTimeout(() => follow(unit, 0), 2000));
      });
    };
    for (const u of key.split('\n')) follow(u, tail);
    return () => {
      live = false;
      clearInterval(flush);
      stops.forEach((s) => s());
      timers.forEach((t) => clearTimeout(t));
    };
  }, [client, key, tail, keep]);
  return state;
}
