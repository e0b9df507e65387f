/**
 * Turning one dashboard frame into terminal writes (pure): only the rows that
 * changed since the last frame, each addressed by its absolute position.
 *
 * Why not Ink's own incremental renderer: Ink 6.8 (the last release for Node
 * 20) moves the cursor back up by `cursorUp(lines - 1)` relative to where it
 * believes the last frame ended. For a frame shorter than the terminal it
 * ends one row lower (the trailing newline), so every repaint landed one row
 * further down: rows it skipped as unchanged stayed where they were, and the
 * screen showed stale and duplicated lines (Ink 7 fixed it; it needs Node 22).
 * The dashboard owns the whole alternate screen, so absolute addressing
 * (CUP) has no cursor arithmetic to get wrong: a row is what was last written
 * at that row, and a resize repaints everything.
 */

const ESC = '\u001B[';
/** Cursor to row `r`, column 1 (both 1-based). */
const cup = (row: number) => `${ESC}${row};1H`;
const RESET = `${ESC}0m`;
const ERASE_TO_END = `${ESC}K`;

/** The terminal's size in cells. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

/** What to write, and the rows the screen shows afterwards. */
export interface Paint {
  out: string;
  lines: string[];
}

/**
 * The writes that turn `prev` (the rows on screen, undefined when unknown:
 * first frame, after a resize) into `frame`. Rows past the screen's height
 * are dropped (the bottom row never scrolls the screen); a row shorter than
 * the width is followed by erase-to-end-of-line, a full one is not (erasing
 * there would wipe its last cell). `width(line)` measures a row in cells.
 */
export function paintFrame(prev: readonly string[] | undefined, frame: string, size: ScreenSize, width: (line: string) => number): Paint {
  const lines = frame === '' ? [] : frame.split('\n').slice(0, Math.max(0, size.rows));
  let out = prev ? '' : `${ESC}H${ESC}2J`;
  const before = prev ?? [];
  const count = Math.max(lines.length, before.length);
  for (let i = 0; i < count; i++) {
    const line = lines[i] ?? '';
    if (line === (before[i] ?? '')) continue;
    out += cup(i + 1) + line + RESET + (width(line) < size.columns ? ERASE_TO_END : '');
  }
  return { out, lines };
}
