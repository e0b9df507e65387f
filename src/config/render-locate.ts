/**
 * Points an error about a unit at the right line of its unit file, when the
 * file can be read; line 1 column 1 otherwise. Used by secrets and template
 * errors, which work from a `UnitSpec` (which carries no positions).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { UnitSpec } from './unit-spec.js';
import { createLocator, type KeyPath, type LineCol } from './yaml-locator.js';

/** Where `path` is written in the unit file (`text`, or spec.file read from disk). */
export function locateInUnit(spec: UnitSpec, path: KeyPath, text?: string): LineCol {
  try {
    const src = text ?? readFileSync(spec.file, 'utf8');
    const lc = new LineCounter();
    const doc = parseDocument(src, { lineCounter: lc });
    return createLocator(doc, lc).value(path);
  } catch {
    return { line: 1, column: 1 };
  }
}

/** Same as locateInUnit, but the key's position (for "this key's value is wrong as a whole"). */
export function locateKeyInUnit(spec: UnitSpec, path: KeyPath, text?: string): LineCol {
  try {
    const src = text ?? readFileSync(spec.file, 'utf8');
    const lc = new LineCounter();
    const doc = parseDocument(src, { lineCounter: lc });
    return createLocator(doc, lc).key(path);
  } catch {
    return { line: 1, column: 1 };
  }
}
