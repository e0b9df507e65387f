/**
 * CLI colour: only on a TTY, off with NO_COLOR set to anything but the empty
 * string (no-color.org) and with TERM=dumb.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stateLabel, useColor } from '../../src/cli/output.js';

const tty = { isTTY: true };

test('NO_COLOR set to a value turns colour off; empty leaves it on', () => {
  assert.is(useColor(tty, {}), true);
  assert.is(useColor(tty, { NO_COLOR: '1' }), false);
  assert.is(useColor(tty, { NO_COLOR: '' }), true);
  assert.is(useColor(tty, { TERM: 'dumb' }), false);
  assert.is(useColor({ isTTY: false }, {}), false);
});

test('a state label reads without colour, recovering included', () => {
  assert.is(stateLabel('running', false), '▲ running');
  assert.is(stateLabel('recovering', false), '… recovering');
  assert.match(stateLabel('failed', true), /\x1b\[31m✕ failed/);
});

test.run();
