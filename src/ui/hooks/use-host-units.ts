/**
 * The host's systemd services while the systemd view is open: followed live
 * from `GET /v1/systemd/units?follow=true` (a snapshot, then each change the
 * agent sees in systemd's D-Bus signals). An agent that answers the follow
 * with a plain list (older than the stream) is polled every `everyMs`
 * instead; a 404 (older still) is not asked again. A broken stream shows its
 * error and is opened again after `everyMs`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DashClient, HostUnitView } from '../dash-client.js';

/** What the view shows: the list, or why there is none. */
export interface HostUnitsState {
  units?: HostUnitView[];
  /** "CODE: message — hint" of the last failure (the list, if any, is the last good one) */
  error?: string;
  notFound?: boolean;
  /** asks again now (after an action) */
  refresh: () => void;
}

/** One message of the followed list. */
type HostUnitsMessage =
  | { type: 'snapshot'; units: HostUnitView[] }
  | { type: 'changed'; unit: HostUnitView }
  | { type: 'removed'; name: string };

type ApiFailure = { code?: string; message?: string; hint?: string };

const describe = (err: ApiFailure) => `${err.code ? `${err.code}: ` : ''}${err.message ?? String(err)}${err.hint ? ` — ${err.hint}` : ''}`;

/** Follows (or, from an older agent, polls) while `active`. */
export function useHostUnits(client: DashClient, active: boolean, everyMs = 2000): HostUnitsState {
  const [state, setState] = useState<Omit<HostUnitsState, 'refresh'>>({});
  const [tick, setTick] = useState(0);
  const unsupported = useRef(false);
  useEffect(() => {
    if (!active || unsupported.current) return;
    let live = true;
    let stream: { stop: () => void } | undefined;
    let poller: ReturnType<typeof setInterval> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const units = new Map<string, HostUnitView>();
    const publish = () => live && setState({ units: [...units.values()].sort((a, b) => a.name.localeCompare(b.name)) });
    const replace = (list: HostUnitView[]) => {
      units.clear();
      for (const u of list) units.set(u.name, u);
      publish();
    };
    const fail = (err: ApiFailure) => {
      if (!live) return false;
      const notFound = err.code === 'E_NOT_FOUND' || err.code === 'E_HTTP_404';
      if (notFound) unsupported.current = true;
      setState((s) => ({ ...s, error: describe(err), notFound }));
      return !notFound;
    };
    const poll = () => void client.get<HostUnitView[]>('/v1/systemd/units').then((list) => live && replace(list), fail);
    const follow = () => {
      let typed = false;
      const s = client.stream<HostUnitsMessage | HostUnitView[]>('/v1/systemd/units?follow=true', (m) => {
        if (Array.isArray(m)) return replace(m);
        typed = true;
        if (m.type === 'snapshot') return replace(m.units);
        if (m.type === 'changed') units.set(m.unit.name, m.unit);
        else units.delete(m.name);
        publish();
      });
      stream = s;
      s.done.then(
        () => {
          if (!live) return;
          if (typed) retry = setTimeout(follow, everyMs);
          else poller = setInterval(poll, everyMs); // an agent without the stream answered one list
        },
        (err: ApiFailure) => {
          if (fail(err)) retry = setTimeout(follow, everyMs);
        },
      );
    };
    follow();
    return () => {
      live = false;
      stream?.stop();
      clearInterval(poller);
      clearTimeout(retry);
    };
  }, [client, active, everyMs, tick]);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, refresh };
}
