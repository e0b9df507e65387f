/**
 * Parses manifests and indexes as they come over the wire (typed with the
 * store's OCI types), with a structural check so a malformed manifest is a clear
 * error instead of a crash deep in a pull.
 */
import { BerthError } from '../../errors.js';
import { isDigest } from '../digest.js';
import type { Descriptor, ImageIndex, Manifest } from '../oci-types.js';
import { isImageManifestType, isIndexType } from './media-types.js';

/** The platform an index entry is built for. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

/** An image manifest (OCI or Docker schema 2); the store's own type. */
export type ImageManifest = Manifest;
export type { Descriptor, ImageIndex };

function checkDescriptor(d: unknown, where: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (!o || typeof o !== 'object' || typeof o.digest !== 'string' || typeof o.size !== 'number' || typeof o.mediaType !== 'string') {
    throw new BerthError('E_MANIFEST_INVALID', `${where}: not a descriptor (needs mediaType, digest, size)`);
  }
  if (!isDigest(o.digest)) {
    throw new BerthError('E_MANIFEST_INVALID', `${where}: unsupported digest ${o.digest}`, { hint: 'berth verifies sha256 digests only' });
  }
  return o as Descriptor;
}

/**
 * Parses manifest bytes of the given media type into a manifest or an index,
 * checking the fields berth relies on. The media type comes from the
 * Content-Type header, else from the document's own `mediaType`.
 */
export function parseManifest(bytes: Buffer, contentType: string): { mediaType: string; manifest: ImageManifest } | { mediaType: string; index: ImageIndex } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new BerthError('E_MANIFEST_INVALID', 'the registry sent a manifest that is not JSON', { cause: err });
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  let mediaType = contentType.split(';')[0]!.trim();
  if (!isIndexType(mediaType) && !isImageManifestType(mediaType)) mediaType = declared;
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
  if (doc.schemaVersion !== 2) {
    throw new BerthError('E_MANIFEST_UNSUPPORTED', `manifest schemaVersion ${String(doc.schemaVersion)} is not supported`, {
      hint: 'berth reads OCI and Docker schema 2 manifests; re-push the image with a current client',
    });
  }
  if (isIndexType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new BerthError('E_MANIFEST_INVALID', 'index has no manifests list');
    doc.manifests.forEach((m, i) => checkDescriptor(m, `manifests[${i}]`));
    return { mediaType, index: doc as unknown as ImageIndex };
  }
  if (!isImageManifestType(mediaType)) {
    throw new BerthError('E_MANIFEST_UNSUPPORTED', `manifest media type ${mediaType} is not supported`);
  }
  checkDescriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw new BerthError('E_MANIFEST_INVALID', 'manifest has no layers list');
  doc.layers.forEach((l, i) => checkDescriptor(l, `layers[${i}]`));
  return { mediaType, manifest: doc as unknown as ImageManifest };
}
