/**
 * berth's client for the OCI distribution API v2 against one registry host:
 * ping, manifests (GET/HEAD/PUT/DELETE, with linux/amd64 picked out of an
 * index), blobs (verified streaming download, upload with mount), catalog
 * and tag lists with Link pagination. It talks HTTP and streams bytes; it
 * does not decide where they are stored.
 */
import type { Writable } from 'node:stream';
import { BerthError } from '../../errors.js';
import { repositoryScope } from './authenticator.js';
import { isDigest, sha256Digest } from '../digest.js';
import { parseManifest, type ImageIndex, type ImageManifest, type Platform } from './descriptor.js';
import { downloadBlob, type DownloadOptions, type DownloadResult } from './download-blob.js';
import { nextLink } from './link-header.js';
import { MANIFEST_TYPES, isIndexType } from './media-types.js';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.js';
import { selectPlatform } from './select-platform.js';
import { uploadBlob, type BlobSource, type UploadOptions, type UploadOutcome } from './upload-blob.js';

/** Options of a RegistryClient (see RegistryHttpOptions). */
export type RegistryClientOptions = RegistryHttpOptions;

/** A manifest as fetched: its exact bytes (digests are over these), type and digest. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  manifest?: ImageManifest;
  index?: ImageIndex;
}

/** A single-image manifest reached from a tag, through an index when there is one. */
export interface ResolvedImage extends FetchedManifest {
  manifest: ImageManifest;
  /** The index it was picked from, when the reference named an index. */
  index?: ImageIndex;
  indexDigest?: string;
}

/** What `/v2/` said. */
export interface PingResult {
  apiVersion?: string;
  /** The scheme the registry asked for when anonymous: none, basic or bearer. */
  auth: string;
}

/** A client for one registry host. Cheap to create; caches tokens per scope. */
export class RegistryClient {
  readonly http: RegistryHttp;

  constructor(opts: RegistryClientOptions) {
    this.http = new RegistryHttp(opts);
  }

  /** The registry host as given (`127.0.0.1:5000`, `docker.io`). */
  get host(): string {
    return this.http.host;
  }

  /** GET /v2/: is this a v2 registry, and do credentials work. Throws E_REGISTRY_AUTH when refused. */
  async ping(): Promise<PingResult> {
    const res = await this.http.request({ method: 'GET', path: '/v2/', scopes: [], ctx: { what: 'ping' } });
    await res.body?.cancel();
    const h = this.http.auth.headerFor([]);
    return { apiVersion: res.headers.get('docker-distribution-api-version') ?? undefined, auth: h ? h.split(' ')[0]!.toLowerCase() : 'none' };
  }

  /** Fetches a manifest or index by tag or digest; the digest is verified. */
  async getManifest(repo: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.http.request({
      method: 'GET', path: `/v2/${repo}/manifests/${reference}`, scopes: [repositoryScope(repo, 'pull')],
      ctx: { repo, reference, what: 'manifest' }, headers: { accept: MANIFEST_TYPES.join(', ') }, signal,
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    const claimed = isDigest(reference) ? reference : res.headers.get('docker-content-digest');
    if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new BerthError('E_DIGEST_MISMATCH', `manifest ${repo}@${claimed} from ${this.host} failed verification: got ${digest}`, { hint: 'the registry serves corrupt data; nothing was stored' });
    }
    const parsed = parseManifest(bytes, res.headers.get('content-type') ?? '');
    return { digest, bytes, ...parsed };
  }

  /** HEAD of a manifest: its digest, type and size, or undefined when there is none. */
  async headManifest(repo: string, reference: string): Promise<{ digest?: string; mediaType: string; size: number } | undefined> {
    const res = await this.http.request({
      method: 'HEAD', path: `/v2/${repo}/manifests/${reference}`, scopes: [repositoryScope(repo, 'pull')],
      ctx: { repo, reference, what: 'manifest' }, headers: { accept: MANIFEST_TYPES.join(', ') }, allow: [404],
    });
    if (res.status === 404) return undefined;
    return {
      digest: res.headers.get('docker-content-digest') ?? undefined,
      mediaType: res.headers.get('content-type') ?? '',
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  /** Follows a tag to one image manifest, picking `platform` (default linux/amd64) out of an index. */
  async resolveImage(repo: string, reference: string, platform?: Platform, signal?: AbortSignal): Promise<ResolvedImage> {
    const top = await this.getManifest(repo, reference, signal);
    if (!isIndexType(top.mediaType) || !top.index) return top as ResolvedImage;
    const pick = selectPlatform(top.index, platform, `${this.host}/${repo}:${reference}`);
    const child = await this.getManifest(repo, pick.digest, signal);
    if (!child.manifest) throw new BerthError('E_MANIFEST_INVALID', `${this.host}/${repo}: index entry ${pick.digest} is not an image manifest`);
    return { ...child, manifest: child.manifest, index: top.index, indexDigest: top.digest };
  }

  /** Uploads a manifest under a tag or its digest; returns its digest. Blobs must be there first. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    await this.http.request({
      method: 'PUT', path: `/v2/${repo}/manifests/${reference}`, scopes: [repositoryScope(repo, 'pull,push')],
      ctx: { repo, reference, what: 'manifest' }, headers: { 'content-type': mediaType }, body: bytes,
    });
    return digest;
  }

  /** Deletes a manifest by digest (a tag is resolved to its digest first). */
  async deleteManifest(repo: string, reference: string): Promise<string> {
    let digest = reference;
    if (!isDigest(reference)) {
      const head = await this.headManifest(repo, reference);
      if (!head?.digest) throw new BerthError('E_TAG_NOT_FOUND', `tag ${reference} not found in ${this.host}/${repo}`);
      digest = head.digest;
    }
    await this.http.request({ method: 'DELETE', path: `/v2/${repo}/manifests/${digest}`, scopes: [repositoryScope(repo, '*')], ctx: { repo, reference, what: 'delete' } });
    return digest;
  }

  /** True when the registry has blob `digest` in `repo`. */
  async blobExists(repo: string, digest: string): Promise<boolean> {
    const res = await this.http.request({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes: [repositoryScope(repo, 'pull')], ctx: { repo, reference: digest, what: 'blob' }, allow: [404] });
    return res.status === 200;
  }

  /** Streams blob `digest` into `sink`, sha256-verified; see downloadBlob. */
  getBlob(repo: string, digest: string, sink: Writable, opts?: DownloadOptions): Promise<DownloadResult> {
    return downloadBlob(this.http, repo, digest, sink, opts);
  }

  /** Uploads a blob unless the registry has it; see uploadBlob. */
  putBlob(repo: string, blob: { digest: string; size: number }, source: BlobSource, opts?: UploadOptions): Promise<UploadOutcome> {
    return uploadBlob(this.http, repo, blob, source, opts);
  }

  /** Every repository name in the registry's catalog, page by page. Throws E_CATALOG_UNAVAILABLE when it has none. */
  async *catalog(pageSize = 100): AsyncGenerator<string> {
    for await (const doc of this.pages(`/v2/_catalog?n=${pageSize}`, { what: 'catalog' }, ['registry:catalog:*'])) {
      for (const r of (doc as { repositories?: string[] }).repositories ?? []) yield r;
    }
  }

  /** Every tag of `repo`, page by page. */
  async listTags(repo: string, pageSize = 100): Promise<string[]> {
    const out: string[] = [];
    for await (const doc of this.pages(`/v2/${repo}/tags/list?n=${pageSize}`, { repo, what: 'tags' }, [repositoryScope(repo, 'pull')])) {
      out.push(...((doc as { tags?: string[] | null }).tags ?? []));
    }
    return out;
  }

  private async *pages(first: string, ctx: { repo?: string; what: 'catalog' | 'tags' }, scopes: string[]): AsyncGenerator<unknown> {
    let next: string | undefined = first;
    const seen = new Set<string>();
    while (next && !seen.has(next)) {
      seen.add(next);
      const res: Response = await this.http.request({ method: 'GET', path: next, scopes, ctx });
      const text = await res.text();
      try {
        yield JSON.parse(text);
      } catch (err) {
        throw new BerthError('E_REGISTRY_ERROR', `${this.host} sent a ${ctx.what} page that is not JSON`, { cause: err });
      }
      next = nextLink(res.headers.get('link'), this.http.url(next).href);
    }
  }
}
