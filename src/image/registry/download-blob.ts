/**
 * Streams one blob from a registry into a caller's writable, hashing as it
 * goes. A dropped connection resumes with `Range` where the registry honours
 * it; where it does not, the blob is fetched again and the bytes already
 * written are skipped, so the sink never sees a byte twice. A digest or size
 * mismatch destroys the sink with E_DIGEST_MISMATCH: the caller discards
 * what it wrote. Where the bytes live is the caller's business.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { BerthError } from '../../errors.js';
import { repositoryScope } from './authenticator.js';
import { isTransientNetworkError } from './registry-errors.js';
import type { RegistryHttp } from './registry-http.js';

/** Bytes done of one blob; `total` is undefined when the size is unknown. */
export interface BlobProgress {
  digest: string;
  done: number;
  total?: number;
}

/** Options of a blob download. */
export interface DownloadOptions {
  /** The expected size (from the manifest); checked when given. */
  size?: number;
  onProgress?: (p: BlobProgress) => void;
  signal?: AbortSignal;
  /** How many times a dropped transfer is resumed (default: the transport's retries). */
  resumes?: number;
}

/** What was downloaded, and how many times the transfer resumed. */
export interface DownloadResult {
  digest: string;
  size: number;
  resumed: number;
}

async function write(sink: Writable, chunk: Uint8Array): Promise<void> {
  if (!sink.write(chunk)) await once(sink, 'drain');
}

/** Downloads `digest` from `repo` into `sink`, verified; ends the sink on success. */
export async function downloadBlob(http: RegistryHttp, repo: string, digest: string, sink: Writable, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const hash = createHash('sha256');
  let done = 0;
  let resumed = 0;
  const maxResumes = opts.resumes ?? http.retries;
  // The error is thrown to the caller too; the listener only keeps an unwatched sink from crashing the process.
  const discard = (err: Error) => {
    if (sink.destroyed) return;
    sink.on('error', () => undefined);
    sink.destroy(err);
  };
  const fail = (err: BerthError): never => {
    discard(err);
    throw err;
  };
  try {
    for (;;) {
      const res = await http.request({
        method: 'GET',
        path: `/v2/${repo}/blobs/${digest}`,
        scopes: [repositoryScope(repo, 'pull')],
        ctx: { repo, reference: digest, what: 'blob' },
        headers: done > 0 ? { range: `bytes=${done}-` } : {},
        signal: opts.signal,
      });
      // 206: the registry resumed where we stopped; 200: it sent everything again.
      let skip = res.status === 206 ? 0 : done;
      if (res.status === 206) {
        const start = Number(/bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? NaN);
        if (start !== done) skip = done - (Number.isNaN(start) ? 0 : start);
        if (skip < 0) fail(new BerthError('E_REGISTRY_ERROR', `${http.host} resumed blob ${digest} at the wrong offset`));
      }
      try {
        for await (const raw of res.body ?? []) {
          let chunk = raw as Uint8Array;
          if (skip > 0) {
            const n = Math.min(skip, chunk.length);
            skip -= n;
            chunk = chunk.subarray(n);
            if (!chunk.length) continue;
          }
          hash.update(chunk);
          done += chunk.length;
          if (opts.size !== undefined && done > opts.size) {
            fail(new BerthError('E_DIGEST_MISMATCH', `blob ${digest} from ${http.host}/${repo} is larger than the ${opts.size} bytes its manifest says`, { hint: 'the registry serves corrupt data; nothing was stored' }));
          }
          await write(sink, chunk);
          opts.onProgress?.({ digest, done, total: opts.size });
        }
      } catch (err) {
        if (err instanceof BerthError || opts.signal?.aborted || !isTransientNetworkError(err) || resumed >= maxResumes) {
          if (err instanceof BerthError) throw err;
          fail(new BerthError('E_REGISTRY_UNREACHABLE', `download of blob ${digest} from ${http.host} broke off after ${done} bytes`, { cause: err, hint: 'run the pull again; finished layers are kept' }));
        }
        resumed++;
        await http.backoff(resumed - 1);
        continue;
      }
      if (opts.size !== undefined && done < opts.size) {
        if (resumed >= maxResumes) {
          fail(new BerthError('E_REGISTRY_UNREACHABLE', `download of blob ${digest} from ${http.host} ended after ${done} of ${opts.size} bytes`, { hint: 'run the pull again; finished layers are kept' }));
        }
        // The connection closed cleanly but early: resume like a reset.
        resumed++;
        await http.backoff(resumed - 1);
        continue;
      }
      break;
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== digest || (opts.size !== undefined && done !== opts.size)) {
      fail(new BerthError('E_DIGEST_MISMATCH', `blob ${digest} from ${http.host}/${repo} failed verification: got ${got}, ${done} bytes${opts.size !== undefined ? ` of ${opts.size}` : ''}`, {
        hint: 'the registry (or something between) serves corrupt data; nothing was stored. Try again, or push the image again',
      }));
    }
    sink.end();
    await once(sink, 'finish');
    return { digest, size: done, resumed };
  } catch (err) {
    discard(err as Error);
    throw err;
  }
}
