/**
 * Media types of the OCI image spec and Docker's v2 schema 2, the only
 * manifest formats berth reads and writes.
 */

/** An OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** An OCI image index (one manifest per platform). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** Docker manifest list (Docker's index). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** OCI image config. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** OCI gzip-compressed layer. */
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Every manifest type berth accepts, for the `Accept` header. */
export const MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST] as const;

/** True for an index or manifest list (a manifest that points to manifests). */
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** True for a single-image manifest (config + layers). */
export function isImageManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}
