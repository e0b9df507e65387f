/**
 * Finds where a key path (`['restart', 'policy']`, `['volumes', 0, 'path']`)
 * sits in a parsed YAML document, so every validation error can point at a
 * line and column. Built on eemeli/yaml's node ranges and LineCounter.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A key path inside a unit document: map keys and sequence indexes. */
export type KeyPath = (string | number)[];

/** A 1-based line and column. */
export interface LineCol {
  line: number;
  column: number;
}

/** Positions of keys and values by key path; never fails, falls back to the nearest enclosing node. */
export interface Locator {
  /** Where the key of the last path segment is written (for unknown or misplaced keys). */
  key(path: KeyPath): LineCol;
  /** Where the value at the path is written (for a wrong value). */
  value(path: KeyPath): LineCol;
}

/** `restart.policy`, `volumes[0].path` — the form errors print. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

interface Found {
  keyNode?: Node;
  valueNode?: Node;
}

function deref(doc: Document, node: unknown): unknown {
  if (!isAlias(node)) return node;
  try {
    return node.resolve(doc) ?? node;
  } catch {
    return node;
  }
}

function walk(doc: Document, path: KeyPath): Found[] {
  const trail: Found[] = [{ valueNode: (doc.contents ?? undefined) as Node | undefined }];
  let current: unknown = doc.contents;
  for (const seg of path) {
    const node = deref(doc, current);
    let next: Found | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair) next = { keyNode: pair.key as Node, valueNode: (pair.value ?? undefined) as Node | undefined };
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item !== undefined) next = { valueNode: item as Node };
    }
    if (!next) break;
    trail.push(next);
    current = next.valueNode;
  }
  return trail;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

/** Builds a Locator over a parsed document. */
export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const at = (node: Node | undefined): LineCol | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(1, line), column: Math.max(1, col) };
  };
  const first = (trail: Found[], pick: (f: Found) => (Node | undefined)[]): LineCol => {
    for (let i = trail.length - 1; i >= 0; i--) {
      for (const node of pick(trail[i]!)) {
        const pos = at(node);
        if (pos) return pos;
      }
    }
    return { line: 1, column: 1 };
  };
  return {
    key: (path) => first(walk(doc, path), (f) => [f.keyNode, f.valueNode]),
    value: (path) => {
      const trail = walk(doc, path);
      // a value that is missing (`key:` with nothing after it) points at its key
      return first(trail, (f) => (isScalar(f.valueNode) && f.valueNode.source === '' ? [f.keyNode] : [f.valueNode, f.keyNode]));
    },
  };
}
