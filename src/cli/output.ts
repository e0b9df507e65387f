/**
 * Output helpers for CLI verbs: aligned tables for people, JSON for scripts,
 * colour only on a TTY and never with NO_COLOR set (to anything but "").
 */
import { lookOf } from '../ui/unit-state.js';

/** True when a stream may get ANSI colours: a TTY, NO_COLOR unset or empty (no-color.org), TERM not dumb. */
export function useColor(stream: Pick<NodeJS.WriteStream, 'isTTY'> = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

const CODES: Record<string, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] };

/** Wraps text in a colour when colours are on. */
export function paint(color: keyof typeof CODES, text: string, on = useColor()): string {
  const c = CODES[color];
  return on && c ? `\x1b[${c[0]}m${text}\x1b[${c[1]}m` : text;
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Formats rows as aligned columns (2 spaces apart), the header first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c)))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Prints a value as pretty JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "3m", "2h13m", "4s" from milliseconds. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}

/** A state word with its symbol (reads without colour) and colour: the dashboard's table, so both read alike. */
export function stateLabel(state: string, on = useColor()): string {
  const look = lookOf(state);
  const color: keyof typeof CODES = look.color in CODES ? (look.color as keyof typeof CODES) : 'dim';
  return paint(color, `${look.symbol} ${look.word}`, on);
}
