/**
 * The applied state file `$BERTH_ROOT/applied.json`: a JSON array of
 * ObservedUnit, what the last apply left. `berth plan` reads it until it can
 * ask the agent; the agent writes the same format (atomically).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import type { ObservedUnit } from './plan-types.js';

/** Where the applied state lives under a state directory. */
export function appliedStatePath(root: string): string {
  return join(root, 'applied.json');
}

/** Parses the state file's text; throws a BerthError naming the file when it is not an array of units. */
export function parseAppliedState(text: string, file = 'applied.json'): ObservedUnit[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BerthError('E_STATE', `${file} is not valid JSON: ${(err as Error).message}`, { hint: 'restore it from a backup, or delete it to plan against an empty host' });
  }
  const ok = Array.isArray(data) && data.every((u) => u && typeof u === 'object' && u.spec && typeof u.spec.name === 'string' && Array.isArray(u.files));
  if (!ok) throw new BerthError('E_STATE', `${file} is not a list of applied units ({spec, files})`, { hint: 'delete it to plan against an empty host' });
  return data as ObservedUnit[];
}

/** Reads the applied state under `root`; an absent file means nothing applied yet. */
export async function readAppliedState(root: string): Promise<ObservedUnit[]> {
  const file = appliedStatePath(root);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BerthError('E_STATE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseAppliedState(text, file);
}
