import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExpandError, expandWord, expandWords } from '../../../src/image/build/expand-word.js';

const vars = new Map([
  ['A', 'apple'],
  ['EMPTY', ''],
  ['SP', 'two words'],
  ['X_1', 'x1'],
]);

// [input, expected] — Docker's ProcessWord results for the same env.
const WORDS: [string, string][] = [
  ['$A', 'apple'],
  ['${A}', 'apple'],
  ['${A}pie', 'applepie'],
  ['$Apie', ''],
  ['$X_1/b', 'x1/b'],
  ['$UNSET', ''],
  ['${UNSET:-def}', 'def'],
  ['${EMPTY:-def}', 'def'],
  ['${EMPTY-def}', ''],
  ['${UNSET-def}', 'def'],
  ['${A:-def}', 'apple'],
  ['${A:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET:+alt}', ''],
  ['${UNSET:-$A}', 'apple'],
  ['${UNSET:-${A}-x}', 'apple-x'],
  ["'$A'", '$A'],
  ['"$A"', 'apple'],
  ['"a b"', 'a b'],
  ['\\$A', '$A'],
  ['"\\$A"', '$A'],
  ['"a\\"b"', 'a"b'],
  ['"a\\nb"', 'a\\nb'],
  ['a\\ b', 'a b'],
  ['$', '$'],
  ['a$', 'a$'],
  ['$/x', '$/x'],
  ['price: 5$', 'price: 5$'],
  ['${SP}', 'two words'],
];

test('expandWord follows Docker substitution and quoting', () => {
  for (const [input, want] of WORDS) assert.is(expandWord(input, vars), want, input);
});

test('an unterminated quote is an error, not a silent value', () => {
  assert.throws(() => expandWord("it's", vars), (e: unknown) => e instanceof ExpandError && /single quote/.test(e.message));
  assert.throws(() => expandWord('"abc', vars), (e: unknown) => e instanceof ExpandError && /double quote/.test(e.message));
});

test('bad substitutions are errors', () => {
  const isExpandError = (e: unknown) => e instanceof ExpandError;
  assert.throws(() => expandWord('${}', vars), isExpandError);
  assert.throws(() => expandWord('${A', vars), isExpandError);
  assert.throws(() => expandWord('${A%%x}', vars), /unsupported modifier/);
  assert.throws(() => expandWord('${UNSET:?need UNSET}', vars), /need UNSET/);
  assert.is(expandWord('${A:?need}', vars), 'apple');
});

test('a backtick escape (# escape=`) escapes like a backslash', () => {
  assert.is(expandWord('`$A', vars, '`'), '$A');
  assert.is(expandWord('C:\\dir\\$A', vars, '`'), 'C:\\dir\\apple');
});

test('expandWords splits on unquoted whitespace, also inside unquoted values', () => {
  assert.equal(expandWords('a  b', vars), ['a', 'b']);
  assert.equal(expandWords('$SP x', vars), ['two', 'words', 'x']);
  assert.equal(expandWords('"$SP" x', vars), ['two words', 'x']);
  assert.equal(expandWords("'' x", vars), ['', 'x']);
  assert.equal(expandWords('  ', vars), []);
});

test.run();
