/**
 * One GET through the dashboard's client, re-run when `path` or `refresh`
 * changes. A 404 is a value (`notFound`), not an error: an older agent may
 * lack a route.
 */
import { useEffect, useState } from 'react';
import type { DashClient } from '../dash-client.js';

/** What a fetch has produced so far. */
export interface FetchResult<T> {
  data?: T;
  error?: string;
  notFound?: boolean;
  loading: boolean;
}

/** Fetches `path` (nothing when undefined). */
export function useFetch<T>(client: DashClient, path: string | undefined, refresh = 0): FetchResult<T> {
  const [result, setResult] = useState<FetchResult<T>>({ loading: !!path });
  useEffect(() => {
    if (!path) return;
    let live = true;
    setResult((r) => ({ ...r, loading: true }));
    client.get<T>(path).then(
      (data) => live && setResult({ data, loading: false }),
      (err: { code?: string; message?: string }) => {
        if (!live) return;
        const notFound = err.code === 'E_NOT_FOUND' || err.code === 'E_HTTP_404';
        setResult({ loading: false, notFound, error: `${err.code ? `${err.code}: ` : ''}${err.message ?? String(err)}` });
      },
    );
    return () => {
      live = false;
    };
  }, [client, path, refresh]);
  return result;
}
