/**
 * paintFrame: only changed rows are written, each at its absolute row; rows
 * that disappear are erased; nothing past the bottom row; a full-width row is
 * not followed by erase-to-end (which would wipe its last cell).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import stringWidth from 'string-width';
import { paintFrame } from '../../src/ui/paint-frame.js';

const size = { columns: 10, rows: 4 };
const CSI = '\u001B[';

/** The writes split per addressed row: { row: text written }. */
function rowsWritten(out: string): Record<number, string> {
  const rows: Record<number, string> = {};
  for (const part of out.split(/\u001B\[(\d+);1H/).slice(1).reduce<[number, string][]>((acc, x, i, all) => (i % 2 === 0 ? [...acc, [Number(x), all[i + 1]!]] : acc), [])) {
    rows[part[0]] = part[1];
  }
  return rows;
}

test('the first frame clears the screen and writes its non-empty rows', () => {
  const p = paintFrame(undefined, 'a\n\nc', size, stringWidth);
  assert.ok(p.out.startsWith(`${CSI}H${CSI}2J`));
  assert.equal(Object.keys(rowsWritten(p.out)), ['1', '3']);
  assert.equal(p.lines, ['a', '', 'c']);
});

test('a later frame writes only the rows that changed', () => {
  const first = paintFrame(undefined, 'head\nrow 1\nrow 2\nfoot', size, stringWidth);
  const next = paintFrame(first.lines, 'head\nrow 1*\nrow 2\nfoot', size, stringWidth);
  assert.not.match(next.out, /2J/);
  assert.equal(rowsWritten(next.out), { 2: `row 1*${CSI}0m${CSI}K` });
  assert.is(paintFrame(next.lines, 'head\nrow 1*\nrow 2\nfoot', size, stringWidth).out, '', 'an unchanged frame writes nothing');
});

test('a shorter frame erases the rows it no longer has', () => {
  const first = paintFrame(undefined, 'a\nb\nc\nd', size, stringWidth);
  const next = paintFrame(first.lines, 'a\nB', size, stringWidth);
  assert.equal(rowsWritten(next.out), { 2: `B${CSI}0m${CSI}K`, 3: `${CSI}0m${CSI}K`, 4: `${CSI}0m${CSI}K` });
});

test('rows past the bottom are dropped; a full-width row gets no erase', () => {
  const p = paintFrame(undefined, '0123456789\nb\nc\nd\ne\nf', size, stringWidth);
  assert.equal(p.lines, ['0123456789', 'b', 'c', 'd']);
  const rows = rowsWritten(p.out);
  assert.is(rows[1], `0123456789${CSI}0m`);
  assert.is(rows[4], `d${CSI}0m${CSI}K`);
  assert.is(rows[5], undefined);
  // width is measured in cells, colours aside
  const coloured = paintFrame(undefined, `${CSI}31m▶123456789${CSI}39m`, size, stringWidth);
  assert.not.match(coloured.out, /\u001B\[K/);
});

test.run();
