/**
 * Which manifest media types the registry client asks for and how it tells
 * an index from a single-image manifest. The constants are the store's.
 */
import { MediaType } from '../oci-types.js';

/** Every manifest type berth accepts, for the `Accept` header. */
export const MANIFEST_TYPES = [MediaType.manifest, MediaType.index, MediaType.dockerManifest, MediaType.dockerManifestList] as const;

/** True for an index or manifest list (a manifest that points to manifests). */
export function isIndexType(mediaType: string): boolean {
  return mediaType === MediaType.index || mediaType === MediaType.dockerManifestList;
}

/** True for a single-image manifest (config + layers). */
export function isImageManifestType(mediaType: string): boolean {
  return mediaType === MediaType.manifest || mediaType === MediaType.dockerManifest;
}
