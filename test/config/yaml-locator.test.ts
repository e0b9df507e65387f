/** The locator: key and value positions by key path, with fallbacks. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineCounter, parseDocument } from 'yaml';
import { createLocator, formatKeyPath } from '../../src/config/yaml-locator.js';

function locator(text: string) {
  const lineCounter = new LineCounter();
  return createLocator(parseDocument(text, { lineCounter }), lineCounter);
}

const TEXT = `name: web
restart:
  policy: always
volumes:
  - name: data
    path: /data
  - { host: ., path: /www }
base: &b { x: 1 }
copy: *b
empty:
`;

const cases: [string, (string | number)[], 'key' | 'value', string][] = [
  ['a top-level key', ['restart'], 'key', '2:1'],
  ['a nested value', ['restart', 'policy'], 'value', '3:11'],
  ['a nested key', ['restart', 'policy'], 'key', '3:3'],
  ['a sequence item', ['volumes', 1], 'value', '7:5'],
  ['a key inside a flow mapping in a sequence', ['volumes', 1, 'path'], 'key', '7:16'],
  ['a block mapping item value', ['volumes', 0, 'path'], 'value', '6:11'],
  ['through an alias', ['copy', 'x'], 'value', '8:15'],
  ['a key with no value points at the key', ['empty'], 'value', '10:1'],
  ['a missing key falls back to its parent', ['restart', 'delay'], 'value', '3:3'],
  ['a missing index falls back to the sequence', ['volumes', 9, 'path'], 'key', '4:1'],
  ['the whole document', [], 'value', '1:1'],
];
for (const [name, path, at, want] of cases) {
  test(name, () => {
    const loc = locator(TEXT);
    const pos = at === 'key' ? loc.key(path) : loc.value(path);
    assert.is(`${pos.line}:${pos.column}`, want);
  });
}

test('an empty document points at 1:1', () => {
  assert.equal(locator('').value(['name']), { line: 1, column: 1 });
});

test('formatKeyPath', () => {
  assert.is(formatKeyPath(['restart', 'policy']), 'restart.policy');
  assert.is(formatKeyPath(['volumes', 0, 'path']), 'volumes[0].path');
  assert.is(formatKeyPath(['run', 'command', 1]), 'run.command[1]');
  assert.is(formatKeyPath([]), '');
});

test.run();
