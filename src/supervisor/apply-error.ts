/**
 * ApplyError: an apply that changed nothing because the folder (or a
 * preflight check) has errors; it carries every one of them.
 */
import type { ConfigError } from '../errors.js';
import { BerthError } from '../errors.js';

/** An apply that changed nothing because the folder has errors; carries all of them. */
export class ApplyError extends BerthError {
  constructor(readonly errors: (ConfigError | BerthError)[]) {
    super('E_APPLY_INVALID', `${errors.length} error(s) in the unit folder; nothing was changed`, {
      hint: 'fix them and apply again (berth validate shows them all)',
    });
  }
}
