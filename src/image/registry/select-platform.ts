/**
 * Picks the manifest for one platform out of an index, as `docker pull`
 * does: berth runs linux/amd64 images.
 */
import { BerthError } from '../../errors.js';
import type { Descriptor, ImageIndex, Platform } from './descriptor.js';

/** The platform berth runs. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * Returns the index entry for `want` (os + architecture, variant when given).
 * Throws E_PLATFORM_NOT_FOUND listing the platforms the index does offer.
 */
export function selectPlatform(index: ImageIndex, want: Platform = DEFAULT_PLATFORM, name = 'image'): Descriptor {
  const hit = index.manifests.find(
    (m) => m.platform?.os === want.os && m.platform.architecture === want.architecture && (!want.variant || m.platform.variant === want.variant),
  );
  if (hit) return hit;
  const offered = index.manifests
    .map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unknown'))
    .join(', ');
  throw new BerthError('E_PLATFORM_NOT_FOUND', `${name} has no ${want.os}/${want.architecture} manifest (offers: ${offered || 'none'})`, {
    hint: 'berth runs linux/amd64 images; pick a tag built for that platform',
  });
}
