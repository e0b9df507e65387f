/**
 * Pure shaping of stored images into what people and programs see:
 * `berth images` rows, `berth history` rows and `berth image inspect` JSON.
 */
import { familiarReference, familiarRepository, parseReference } from './reference.js';
import type { Descriptor, ImageConfig, Manifest } from './oci-types.js';

/** A resolved image: what `ImageStore.resolve` returns. */
export interface Image {
  /** The reference as resolved: the canonical name (`docker.io/library/busybox:latest`) or the manifest digest. */
  ref: string;
  /** Manifest digest (what a registry calls the image digest). */
  digest: string;
  /** Config digest (Docker's image ID). */
  id: string;
  manifest: Manifest;
  config: ImageConfig;
  /** Every canonical name of this image in the store. */
  names: string[];
}

/** One row of `berth images`: one per name, or one `<none>` row for a dangling image. */
export interface ImageSummary {
  repository: string;
  tag: string;
  /** Canonical name, absent for a dangling image. */
  name?: string;
  digest: string;
  id: string;
  created?: string;
  /** Sum of the stored (compressed) layer blobs, bytes. */
  size: number;
}

/** One row of `berth history`, newest first. */
export interface HistoryRow {
  created?: string;
  createdBy: string;
  comment?: string;
  emptyLayer: boolean;
  /** Stored size of the layer this step made (0 for an empty step). */
  size: number;
  layer?: string;
}

/** Stored size of an image's layers. */
export function imageSize(manifest: Manifest): number {
  return manifest.layers.reduce((s, l) => s + l.size, 0);
}

/** Rows for `berth images`, sorted newest first. */
export function summarize(image: Image): ImageSummary[] {
  const base = { digest: image.digest, id: image.id, created: image.config.created, size: imageSize(image.manifest) };
  if (image.names.length === 0) return [{ ...base, repository: '<none>', tag: '<none>' }];
  return image.names.map((name) => {
    const r = parseReference(name);
    return { ...base, name, repository: familiarRepository(r), tag: r.tag ?? '<none>' };
  });
}

/** History rows, newest first, with each layer step's size. Without history, one row per layer. */
export function historyOf(manifest: Manifest, config: ImageConfig): HistoryRow[] {
  const layers: Descriptor[] = manifest.layers;
  const rows: HistoryRow[] = [];
  const history = config.history ?? [];
  if (history.length === 0) {
    layers.forEach((l) => rows.push({ createdBy: '', emptyLayer: false, size: l.size, layer: l.digest, created: config.created }));
  } else {
    let k = 0;
    for (const h of history) {
      const empty = h.empty_layer === true;
      const layer = empty ? undefined : layers[k++];
      const row: HistoryRow = { createdBy: h.created_by ?? '', emptyLayer: empty, size: layer?.size ?? 0 };
      if (h.created !== undefined) row.created = h.created;
      if (h.comment !== undefined) row.comment = h.comment;
      if (layer) row.layer = layer.digest;
      rows.push(row);
    }
  }
  return rows.reverse();
}

/** `berth image inspect` JSON: Docker-like keys, plus the OCI manifest and the layer dirs. */
export function inspectView(image: Image, layerDirs: Array<string | undefined>): Record<string, unknown> {
  const c = image.config;
  return {
    Id: image.id,
    Digest: image.digest,
    RepoTags: image.names.map((n) => familiarReference(parseReference(n))),
    Names: image.names,
    Created: c.created,
    Author: c.author,
    Architecture: c.architecture,
    Os: c.os,
    Size: imageSize(image.manifest),
    Config: c.config ?? {},
    RootFS: c.rootfs,
    Layers: image.manifest.layers.map((l, i) => ({
      Digest: l.digest, MediaType: l.mediaType, Size: l.size, DiffID: c.rootfs.diff_ids[i], Dir: layerDirs[i] ?? null,
    })),
    History: c.history ?? [],
    Manifest: image.manifest,
  };
}
