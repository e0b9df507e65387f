/**
 * berth's error types. Every error a user can see has a stable code
 * (`E_…`), a message saying what is wrong, and where possible a hint saying
 * what to do next. Bad input is reported through these, never a stack trace.
 */

/** Options common to every berth error. */
export interface BerthErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** The base error: a code, a message, an optional hint. */
export class BerthError extends Error {
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
  }

  /** A plain object for JSON output (API bodies, `--json`). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.hint !== undefined) out.hint = this.hint;
    return out;
  }
}

/** Where a configuration error is: a file and a 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** Bad input in a unit file, template, secret or Dockerfile. */
export class ConfigError extends BerthError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The key path inside the document, e.g. `restart.policy` (empty at the top). */
  readonly path: string;

  constructor(
    code: string,
    message: string,
    where: SourcePosition & { path?: string },
    options: BerthErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.path = where.path ?? '';
  }

  /** `file:line:col` as editors and compilers print it. */
  get location(): string {
    return `${this.file}:${this.line}:${this.column}`;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file, line: this.line, column: this.column, path: this.path };
  }
}

/** A failure in a runtime driver; `recoverable` says whether retrying may help. */
export class DriverError extends BerthError {
  readonly unit: string;
  readonly recoverable: boolean;

  constructor(
    code: string,
    message: string,
    where: { unit: string; recoverable?: boolean },
    options: BerthErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'DriverError';
    this.unit = where.unit;
    this.recoverable = where.recoverable ?? false;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), unit: this.unit, recoverable: this.recoverable };
  }
}

/** An illegal move in a state machine: a bug, never user input. */
export class TransitionError extends BerthError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, event: string, to = '?') {
    super('E_TRANSITION', `illegal transition: ${event} in state ${from}`);
    this.name = 'TransitionError';
    this.from = from;
    this.to = to;
  }
}

/** Formats any error for a person: message, location and hint, no stack. */
export function formatError(err: unknown): string {
  if (err instanceof ConfigError) {
    const hint = err.hint ? `\n  hint: ${err.hint}` : '';
    const path = err.path ? ` ${err.path}:` : '';
    return `${err.location}:${path} ${err.message}${hint}`;
  }
  if (err instanceof BerthError) {
    return `${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** True for errors that carry a code (ours, or Node's system errors). */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
