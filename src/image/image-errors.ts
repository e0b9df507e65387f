/**
 * The image store's user-facing errors, with hints that say what to do.
 */
import { BerthError } from '../errors.js';

/** Names of the base images berth can make without a network. */
export const BASE_IMAGE_NAMES = ['scratch', 'busybox', 'debian:bookworm'] as const;

/** E_IMAGE_NOT_FOUND: lists a few known images and how to add one. */
export function imageNotFound(ref: string, known: string[]): BerthError {
  const some = known.slice(0, 8).join(', ') + (known.length > 8 ? `, … (${known.length} in all)` : '');
  const list = known.length > 0 ? `local images: ${some}. ` : 'the image store is empty. ';
  return new BerthError('E_IMAGE_NOT_FOUND', `image "${ref}" is not in the local image store`, {
    hint: `${list}Add one with \`berth build\`, \`berth pull\` or \`berth load -i FILE\`; the base images ${BASE_IMAGE_NAMES.join(', ')} are made on first use (or now: \`berth image base NAME\`). See docs/images.md.`,
  });
}

/** E_IMAGE_IN_USE: an image held by containers cannot be removed without force. */
export function imageInUse(ref: string, owners: string[]): BerthError {
  return new BerthError('E_IMAGE_IN_USE', `image "${ref}" is in use by ${owners.join(', ')}`, {
    hint: 'remove those containers first, or use `berth rmi -f` (their layers stay until they are gone)',
  });
}

/** E_IMAGE_AMBIGUOUS: an ID prefix or digest that matches several images or names. */
export function imageAmbiguous(ref: string, what: string): BerthError {
  return new BerthError('E_IMAGE_AMBIGUOUS', `"${ref}" ${what}`, {
    hint: 'name the image by REPOSITORY:TAG, or use -f to remove every name of it',
  });
}

/** E_BAD_IMAGE: an image whose parts do not fit together. */
export function badImage(message: string): BerthError {
  return new BerthError('E_BAD_IMAGE', message, { hint: 'this is a bug in whatever wrote the image (build, commit, pull or load)' });
}
