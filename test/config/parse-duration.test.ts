import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDuration, parseDuration } from '../../src/config/parse-duration.js';
import { BerthError } from '../../src/errors.js';

const valid: [string, number][] = [
  ['0s', 0],
  ['100ms', 100],
  ['5s', 5_000],
  ['1.5s', 1_500],
  ['1m', 60_000],
  ['1m30s', 90_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
  ['1h1m1s1ms', 3_661_001],
  ['0.5ms', 1], // rounded to whole ms
  [' 10s ', 10_000],
];
for (const [text, ms] of valid) {
  test(`parseDuration(${JSON.stringify(text)}) = ${ms}`, () => {
    assert.is(parseDuration(text), ms);
    assert.ok(isDuration(text));
  });
}

const invalid = ['', '5', '5 s', 's', '1w', '-1s', '1.s', 'ms', '1sm', '10S'];
for (const text of invalid) {
  test(`parseDuration(${JSON.stringify(text)}) is refused with E_DURATION`, () => {
    assert.not.ok(isDuration(text));
    try {
      parseDuration(text);
      assert.unreachable('should throw');
    } catch (err) {
      assert.instance(err, BerthError);
      assert.is((err as BerthError).code, 'E_DURATION');
      assert.ok((err as BerthError).hint);
    }
  });
}

test.run();
