/**
 * `berth build` through an agent: a local (unix socket) agent gets the
 * context folder's path; any other gets the folder itself, packed as a tar
 * and streamed as the request body, with "sending context" progress for a
 * big one. Both answer with the same NDJSON progress; a failure comes back
 * as the error it was (a Dockerfile error keeps file:line:col, naming the
 * path the user typed).
 */
import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { ApiClient } from '../api/client.js';
import { BerthError, ConfigError, formatError } from '../errors.js';

/** What the user asked for, paths as typed. */
export interface BuildRequest {
  dir: string;
  file?: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache: boolean;
}

/** The final line of a successful build. */
export interface BuildDone {
  image: string;
  digest: string;
}

/** Contexts at least this big show upload progress. */
export const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** An error line from the agent as the error it was (ConfigError when it has a place). */
export function errorFromJson(j: Record<string, unknown>): BerthError {
  const code = String(j.code ?? 'E_INTERNAL');
  const message = String(j.message ?? 'failed');
  const opts = typeof j.hint === 'string' ? { hint: j.hint } : {};
  if (typeof j.file === 'string' && typeof j.line === 'number') {
    return new ConfigError(code, message, { file: j.file, line: j.line, column: Number(j.column ?? 1), path: typeof j.path === 'string' ? j.path : '' }, opts);
  }
  return new BerthError(code, message, opts);
}

/** Counts the bytes of the upload and draws "sending context …" on `out` for a big context. */
function uploadMeter(total: number, out: NodeJS.WriteStream, quiet: boolean): { counter: Transform; finish(): void } {
  const show = total >= PROGRESS_FROM_BYTES && !quiet;
  const started = Date.now();
  let sent = 0;
  let drawn = 0;
  let finished = false;
  if (show && !out.isTTY) out.write(`sending context ${mb(total)}\n`);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      if (show && out.isTTY && Date.now() - drawn > 200) {
        drawn = Date.now();
        out.write(`\r\x1b[2Ksending context ${mb(sent)} of ${mb(total)}`);
      }
      done(null, chunk);
    },
  });
  return {
    counter,
    finish() {
      if (finished || !show) return;
      finished = true;
      out.write(`${out.isTTY ? '\r\x1b[2K' : ''}sent context ${mb(sent)} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    },
  };
}

/** Runs the build on the agent `client` at `host`; progress lines go to `onEvent`, upload progress and extra errors to `out` (`quiet`: no upload progress). */
export async function buildViaAgent(client: ApiClient, host: string, req: BuildRequest, onEvent: (e: { type: string }) => void, out: NodeJS.WriteStream = process.stderr, quiet = false): Promise<BuildDone> {
  let final: BuildDone | undefined;
  let failure: Record<string, unknown> | undefined;
  let meter: ReturnType<typeof uploadMeter> | undefined;
  const onValue = (v: Record<string, unknown>) => {
    if (v.done === true) final = v as unknown as BuildDone;
    else if (v.error && typeof v.error === 'object' && !('type' in v)) failure = v.error as Record<string, unknown>;
    else if (v.type === 'context') meter?.finish();
    else onEvent(v as { type: string });
  };
  let s: { done: Promise<void>; stop: () => void };
  if (host.startsWith('unix://')) {
    const body = {
      context: resolve(req.dir), tags: req.tags, buildArgs: req.buildArgs, noCache: req.noCache,
      ...(req.file ? { dockerfile: resolve(req.file) } : {}), ...(req.target ? { target: req.target } : {}),
    };
    s = client.stream<Record<string, unknown>>('/v1/images/build', onValue, body);
  } else {
    const { packBuildContext } = await import('./context-tar.js');
    const packed = await packBuildContext(req.dir, req.file);
    meter = uploadMeter(packed.bytes, out, quiet);
    const { counter } = meter;
    packed.stream.on('error', (err: unknown) => counter.destroy(err as Error));
    counter.on('close', () => packed.stream.destroy());
    packed.stream.pipe(counter);
    const q = new URLSearchParams({ dockerfile: packed.dockerfile, shownContext: req.dir, shownDockerfile: req.file ?? `${req.dir.replace(/\/+$/, '')}/Dockerfile` });
    for (const t of req.tags) q.append('tag', t);
    for (const [k, v] of Object.entries(req.buildArgs)) q.append('buildArg', `${k}=${v}`);
    if (req.target) q.set('target', req.target);
    if (req.noCache) q.set('noCache', 'true');
    s = client.upload<Record<string, unknown>>(`/v1/images/build/upload?${q}`, counter, 'application/x-tar', onValue);
  }
  const stop = () => s.stop();
  process.once('SIGINT', stop);
  try {
    // once the agent has answered, a reset of the rest of the upload is no news
    await s.done.catch((err: unknown) => {
      if (!final && !failure) throw err;
    });
  } finally {
    process.off('SIGINT', stop);
  }
  if (failure) {
    const list = Array.isArray(failure.errors) ? (failure.errors as Record<string, unknown>[]) : [];
    for (const e of list.slice(1)) out.write(`berth: ${formatError(errorFromJson(e))}\n`);
    throw errorFromJson(failure);
  }
  if (!final) throw new BerthError('E_STREAM_ENDED', 'the agent ended the stream without a result', { hint: 'see the agent log' });
  return final;
}
