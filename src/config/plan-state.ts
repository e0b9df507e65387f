/**
 * The applied state file `$BERTH_ROOT/applied.json`: a JSON array of
 * ObservedUnit, what the last apply left. `berth plan` reads it until it can
 * ask the agent; the agent writes the same format (atomically).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import type { DesiredUnit, ObservedUnit } from './plan-types.js';
import { redact, redactDeep } from './redact.js';

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

/**
 * What to store for a unit once it is applied: its spec and its files'
 * sha256 and mode, with secrets redacted from the spec's strings and the
 * files' content, so applied.json never holds a secret. A file's sha256
 * still detects a rotated secret in a template; a rotated secret used in
 * run.env is not seen by the plan (both sides read •••).
 */
export function toObservedUnit(d: DesiredUnit, secretValues: string[], state?: string): ObservedUnit {
  const files = d.files.map((f) => ({ dest: f.dest, sha256: f.sha256, mode: f.mode, content: redact(f.content, secretValues) }));
  const spec = redactDeep(d.spec, secretValues);
  return state === undefined ? { spec, files } : { spec, files, state };
}

/** Writes the applied state atomically (temp file, fsync, rename), mode 0600. */
export async function writeAppliedState(root: string, units: ObservedUnit[]): Promise<void> {
  const file = appliedStatePath(root);
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(units, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
