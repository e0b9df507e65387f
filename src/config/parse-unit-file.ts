/**
 * Parses one unit file: YAML (with positions) → schema check → per-file
 * rules (kind rules, value rules), all in one run. Pure: text in, a `UnitFile` or
 * ConfigErrors out. Never throws for bad input.
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.js';
import { errorAt, type UnitSource } from './error-at.js';
import { explainAjvErrors } from './explain-ajv-errors.js';
import type { UnitFile } from './unit-schema.js';
import { validateUnitShape } from './unit-validator.js';
import { checkUnitKind } from './validate-unit-kinds.js';
import { checkUnitValues } from './validate-unit-values.js';
import { createLocator, type Locator } from './yaml-locator.js';

/** What parseUnitDocument learns about one file. */
export interface ParsedUnitDocument {
  /** Set when the document has the schema's shape, even if rules failed (for folder-wide checks). */
  shaped?: UnitFile;
  /** The document as plain data when it is a mapping, whatever its shape (for name lookups). */
  raw?: Record<string, unknown>;
  errors: ConfigError[];
  locator: Locator;
}

const MAX_ALIASES = 100;

function yamlError(file: string, e: YAMLError, lineCounter: LineCounter, text: string): ConfigError {
  let pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
  let message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const quote = /^Missing closing (["'])quote/.exec(message)?.[1];
  if (e.code === 'MISSING_CHAR' && quote) {
    // the parser reports the end of the file; the quote that was opened is what to fix
    const opened = text.lastIndexOf(quote, Math.max(0, e.pos[0] - 1));
    if (opened >= 0) pos = lineCounter.linePos(opened);
    message = `this ${quote} is never closed`;
  }
  const code = e.code === 'DUPLICATE_KEY' ? 'E_DUPLICATE_KEY' : e.code === 'MULTIPLE_DOCS' ? 'E_MULTIPLE_DOCS' : 'E_YAML';
  const hint =
    code === 'E_MULTIPLE_DOCS'
      ? 'put one unit per file'
      : code === 'E_DUPLICATE_KEY'
        ? 'remove one of the two keys'
        : e.name === 'YAMLWarning'
          ? 'unit files are plain YAML: remove the tag or directive'
          : 'check indentation, colons and quotes around this point';
  return new ConfigError(code, message, { file, line: Math.max(1, pos.line), column: Math.max(1, pos.col), path: '' }, { hint });
}

/** Parses and checks one unit file, keeping the locator for folder-wide checks. */
export function parseUnitDocument(text: string, file: string): ParsedUnitDocument {
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml package would otherwise print warnings itself; the core never prints
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, logLevel: 'error' });
  const locator = createLocator(doc, lineCounter);
  const src: UnitSource = { file, locator };
  // warnings too: an unresolved tag or an unknown directive silently changes what a value means
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) return { errors: problems.map((e) => yamlError(file, e, lineCounter, text)), locator };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { errors: [errorAt(src, 'E_YAML', message, [], 'value', 'avoid deeply nested aliases (*name)')], locator };
  }
  if (data === null || data === undefined) {
    return { errors: [errorAt(src, 'E_EMPTY', 'the unit file is empty', [], 'value', 'a unit needs at least `name:` and `kind:`')], locator };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : `\`${String(data).slice(0, 40)}\``;
    return { errors: [errorAt(src, 'E_TYPE', `a unit file must be a mapping of keys (got ${got})`, [], 'value', 'start with `name: web` and `kind: service`')], locator };
  }

  const schemaErrors = explainAjvErrors(validateUnitShape(data)).map((p) =>
    errorAt(src, p.code, p.message, p.where, p.at, p.hint, p.path),
  );
  const kindErrors = checkUnitKind(data as Record<string, unknown>, src);
  const valueErrors = checkUnitValues(data as Record<string, unknown>, src);
  const shaped = schemaErrors.length === 0 ? (data as UnitFile) : undefined;
  return { shaped, raw: data as Record<string, unknown>, errors: [...schemaErrors, ...kindErrors, ...valueErrors], locator };
}

/** Parses one unit file. `unit` is set only when the file has no errors at all. */
export function parseUnitFile(text: string, file: string): { unit?: UnitFile; errors: ConfigError[] } {
  const { shaped, errors } = parseUnitDocument(text, file);
  return errors.length === 0 && shaped ? { unit: shaped, errors } : { errors };
}
