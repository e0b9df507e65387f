/**
 * Which units are what: objects (network, volume) that nothing runs for, and
 * ad-hoc units made by `berth run`/`create` or the Docker API, which folder
 * applies leave alone. Both are told apart by kind and by labels.
 */
import type { UnitSpec } from '../config/unit-spec.js';

/** Label marking units made by `berth run`/`create` (not from a folder). */
export const ORIGIN_LABEL = 'berth.origin';
/** Label marking `--rm` units. */
export const AUTOREMOVE_LABEL = 'berth.autoremove';

/** Network and volume units declare objects; nothing runs for them. */
export function isObjectKind(spec: UnitSpec): boolean {
  return spec.kind === 'network' || spec.kind === 'volume';
}

/** True for units made outside a unit folder. */
export function isAdHoc(spec: UnitSpec): boolean {
  return spec.labels[ORIGIN_LABEL] === 'run';
}
