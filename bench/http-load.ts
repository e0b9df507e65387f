/**
 * A closed-loop HTTP load generator: N clients, each on its own keep-alive
 * connection, sending one request after the other for a fixed time. Returns
 * counts and latency percentiles; errors are counted, never thrown, so a
 * caller can assert on them. Used by bench/api.ts and test/api/load.test.ts.
 */
import http from 'node:http';

/** Where to send requests: a unix socket or host:port. */
export type LoadTarget = { socketPath: string } | { host: string; port: number };

/** What to load: where, how many clients, how long, which paths. */
export interface LoadOptions {
  target: LoadTarget;
  clients: number;
  durationMs: number;
  /** the path of request number `n` of client `client` */
  path: (client: number, n: number) => string;
  headers?: Record<string, string>;
}

/** Counts and latency percentiles of one run. */
export interface LoadResult {
  requests: number;
  errors: number;
  /** the first few error descriptions */
  errorSamples: string[];
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The q-quantile (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function once(agent: http.Agent, target: LoadTarget, path: string, headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ agent, path, headers, ...target }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode} ${path}`));
      res.on('error', (e) => resolve(`${e.message} ${path}`));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timed out after 60 s')));
    req.on('error', (e) => resolve(`${e.message} ${path}`));
  });
}

/** Runs the load and resolves when every client finished its last request. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + opts.durationMs;
  const client = async (c: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let n = 0; performance.now() < end; n++) {
        const t0 = performance.now();
        const err = await once(agent, opts.target, opts.path(c, n), opts.headers ?? {});
        latencies.push(performance.now() - t0);
        if (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(err);
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c)));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    errorSamples,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
  };
}

/** One line for a result. */
export function formatLoad(label: string, r: LoadResult): string {
  return `${label}: ${r.requests} requests, ${r.perSecond.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(0)} ms, ${r.errors} error(s)`;
}
