/**
 * Builds a ConfigError that points at a key or value of a unit document,
 * so every rule reports file:line:col and the key path the same way.
 */
import { ConfigError } from '../errors.js';
import { formatKeyPath, type KeyPath, type Locator } from './yaml-locator.js';

/** A unit file being checked: its name and where its keys are. */
export interface UnitSource {
  file: string;
  locator: Locator;
}

/**
 * A ConfigError at `path` in `src`, pointing at the key (`at: 'key'`) or its
 * value; `shownPath` is the key path printed, when it differs (a missing key).
 */
export function errorAt(
  src: UnitSource,
  code: string,
  message: string,
  path: KeyPath,
  at: 'key' | 'value' = 'value',
  hint?: string,
  shownPath: KeyPath = path,
): ConfigError {
  const pos = at === 'key' ? src.locator.key(path) : src.locator.value(path);
  return new ConfigError(code, message, { file: src.file, ...pos, path: formatKeyPath(shownPath) }, hint === undefined ? {} : { hint });
}
