/**
 * The host's systemd services (GET /v1/systemd/units), polled only while the
 * systemd view is open. The agent keeps that list live from systemd's D-Bus
 * signals, so one cheap GET every few seconds shows changes; the API has no
 * stream of them to follow. A 404 (an older agent) is not asked again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DashClient, HostUnitView } from '../dash-client.js';

/** What the view shows: the list, or why there is none. */
export interface HostUnitsState {
  units?: HostUnitView[];
  /** "CODE: message — hint" of the last failed poll (the list, if any, is the last good one) */
  error?: string;
  notFound?: boolean;
  /** asks again now (after an action) */
  refresh: () => void;
}

/** Polls while `active`, every `everyMs` (default 2 s). */
export function useHostUnits(client: DashClient, active: boolean, everyMs = 2000): HostUnitsState {
  const [state, setState] = useState<Omit<HostUnitsState, 'refresh'>>({});
  const [tick, setTick] = useState(0);
  const unsupported = useRef(false);
  useEffect(() => {
    if (!active || unsupported.current) return;
    let live = true;
    const poll = () => {
      client.get<HostUnitView[]>('/v1/systemd/units').then(
        (units) => live && setState({ units }),
        (err: { code?: string; message?: string; hint?: string }) => {
          if (!live) return;
          const notFound = err.code === 'E_NOT_FOUND' || err.code === 'E_HTTP_404';
          if (notFound) unsupported.current = true;
          const error = `${err.code ? `${err.code}: ` : ''}${err.message ?? String(err)}${err.hint ? ` — ${err.hint}` : ''}`;
          setState((s) => ({ ...s, error, notFound }));
        },
      );
    };
    poll();
    const t = setInterval(poll, everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [client, active, everyMs, tick]);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, refresh };
}
