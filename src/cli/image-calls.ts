/**
 * The image verbs' calls, each through the agent's API when one answers
 * and on the local store otherwise (see `agentOrLocal`). Same values both
 * ways, so the verbs print the same thing.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HistoryRow, ImageSummary, RemoveResult, PruneResult } from '../image/image-store.js';
import type { PullResult, TransferEvent } from '../image/registry/pull-image.js';
import type { PushResult } from '../image/registry/push-image.js';
import { agentOrLocal, streamCall } from './agent-or-local.js';

const q = (ref: string) => `ref=${encodeURIComponent(ref)}`;
const open = async (root: string) => (await import('../image/image-store.js')).ImageStore.open(root);

/** `berth images` rows. */
export function listImages(cmd: Command): Promise<ImageSummary[]> {
  return agentOrLocal(cmd, (c) => c.get<ImageSummary[]>('/v1/images'), async (root) => (await open(root)).list());
}

/** `berth image inspect` JSON of one image. */
export function inspectImage(cmd: Command, ref: string): Promise<Record<string, unknown>> {
  return agentOrLocal(cmd, (c) => c.get(`/v1/images/inspect?${q(ref)}`), async (root) => (await open(root)).inspect(ref));
}

/** `berth history` rows. */
export function imageHistory(cmd: Command, ref: string): Promise<HistoryRow[]> {
  return agentOrLocal(cmd, (c) => c.get(`/v1/images/history?${q(ref)}`), async (root) => (await open(root)).history(ref));
}

/** `berth tag`. */
export async function tagImage(cmd: Command, source: string, target: string): Promise<void> {
  await agentOrLocal(cmd, (c) => c.post('/v1/images/tag', { source, target }), async (root) => (await open(root)).tag(source, target));
}

/** `berth rmi` of one ref. */
export function removeImage(cmd: Command, ref: string, force: boolean): Promise<RemoveResult> {
  return agentOrLocal(cmd, (c) => c.call<RemoveResult>('DELETE', `/v1/images?${q(ref)}&force=${force}`), async (root) => (await open(root)).remove(ref, { force }));
}

/** `berth image prune`. */
export function pruneImages(cmd: Command, graceMs: number): Promise<PruneResult> {
  return agentOrLocal(cmd, (c) => c.post<PruneResult>('/v1/images/prune', { graceMs }), async (root) => (await open(root)).prune({ graceMs }));
}

/** `berth save`: the file is a path on the agent's host (made absolute here). */
export function saveImages(cmd: Command, refs: string[], file: string): Promise<unknown[]> {
  const path = resolve(file);
  return agentOrLocal(
    cmd,
    async (c) => (await c.post<{ saved: unknown[] }>('/v1/images/save', { refs, file: path })).saved,
    async (root) => (await import('../image/oci-archive.js')).saveImage(await open(root), refs, path),
  );
}

/** `berth load`: what was loaded, by name and digest. */
export function loadImages(cmd: Command, file: string, tag?: string): Promise<Array<{ name?: string; digest: string }>> {
  const path = resolve(file);
  return agentOrLocal(
    cmd,
    async (c) => (await c.post<{ loaded: Array<{ name?: string; digest: string }> }>('/v1/images/load', { file: path, ...(tag ? { tag } : {}) })).loaded,
    async (root) => {
      const loaded = await (await import('../image/oci-archive.js')).loadImage(await open(root), path, tag ? { name: tag } : {});
      return loaded.map((l) => ({ ...(l.name ? { name: l.name } : {}), digest: l.image.digest }));
    },
  );
}

/** `berth pull`, with transfer events either way. */
export function pullVia(cmd: Command, ref: string, insecure: boolean | undefined, onEvent?: (e: TransferEvent) => void): Promise<PullResult> {
  return agentOrLocal(
    cmd,
    (c) => streamCall<PullResult>(c, '/v1/images/pull', { ref, ...(insecure ? { insecure } : {}) }, (e) => onEvent?.(e as unknown as TransferEvent)),
    async (root) => (await import('../image/registry/pull-image.js')).pullImage(await open(root), ref, { root, insecure, ...(onEvent ? { onEvent } : {}) }),
  );
}

/** `berth push`, with transfer events either way. */
export function pushVia(cmd: Command, ref: string, dest: string | undefined, o: { insecure?: boolean; mountFrom?: string }, onEvent?: (e: TransferEvent) => void): Promise<PushResult> {
  return agentOrLocal(
    cmd,
    (c) => streamCall<PushResult>(c, '/v1/images/push', { ref, ...(dest ? { dest } : {}), ...(o.insecure ? { insecure: true } : {}), ...(o.mountFrom ? { mountFrom: o.mountFrom } : {}) }, (e) => onEvent?.(e as unknown as TransferEvent)),
    async (root) => (await import('../image/registry/push-image.js')).pushImage(await open(root), ref, dest, { root, insecure: o.insecure, mountFrom: o.mountFrom, ...(onEvent ? { onEvent } : {}) }),
  );
}
