import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { redact, redactDeep } from '../../src/config/redact.js';

test('every occurrence is replaced', () => {
  assert.is(redact('a=hunter2 b=hunter2', ['hunter2']), 'a=••• b=•••');
});

test('longer values first, so a secret containing another is hidden whole', () => {
  assert.is(redact('x=abcd-efgh y=abcd', ['abcd', 'abcd-efgh']), 'x=••• y=•••');
});

test('values under 4 characters are left alone; regex characters are literal', () => {
  assert.is(redact('port 42 a.b*c', ['42', 'a.b*c']), 'port 42 •••');
});

test('redactDeep walks objects and arrays', () => {
  assert.equal(redactDeep({ a: ['pw=s3cr3t'], b: { c: 's3cr3t', n: 1 } }, ['s3cr3t']), { a: ['pw=•••'], b: { c: '•••', n: 1 } });
});

test.run();
