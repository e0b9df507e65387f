/**
 * Resource usage of the units on screen only (GET /v1/dash/usage?units=…),
 * at a modest rate: the dashboard never asks for every unit. An agent
 * without the route answers 404 once and is not asked again.
 */
import { useEffect, useRef, useState } from 'react';
import type { DashClient, UsageSample } from '../dash-client.js';
import { addSample, type UsageHistory } from '../usage-history.js';

/** Usage history by unit name, for the names given (refreshed every `everyMs`). */
export function useUsage(client: DashClient, names: string[], everyMs = 3000): ReadonlyMap<string, UsageHistory> {
  const [histories, setHistories] = useState<ReadonlyMap<string, UsageHistory>>(new Map());
  const unsupported = useRef(false);
  const key = names.join(',');
  useEffect(() => {
    if (!key || unsupported.current) return;
    let live = true;
    const poll = () => {
      client.get<Record<string, UsageSample>>(`/v1/dash/usage?units=${encodeURIComponent(key)}`).then((samples) => {
        if (!live) return;
        setHistories((old) => {
          const next = new Map(old);
          for (const [name, s] of Object.entries(samples)) next.set(name, addSample(old.get(name), s));
          return next;
        });
      }, (err: { code?: string }) => {
        if (err.code === 'E_NOT_FOUND') unsupported.current = true;
      });
    };
    poll();
    const t = setInterval(poll, everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [client, key, everyMs]);
  return histories;
}
