import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSize } from '../../src/config/parse-size.js';
import { BerthError } from '../../src/errors.js';

const valid: [string | number, number][] = [
  ['0', 0],
  ['1048576', 1_048_576],
  [4096, 4096],
  ['512B', 512],
  ['1Ki', 1024],
  ['64Mi', 64 * 1024 ** 2],
  ['1Gi', 1024 ** 3],
  ['1.5Gi', 1.5 * 1024 ** 3],
  ['2Ti', 2 * 1024 ** 4],
  ['1k', 1000],
  ['1K', 1000],
  ['1KB', 1000],
  ['64M', 64_000_000],
  ['64MB', 64_000_000],
  ['1G', 1_000_000_000],
  ['1GB', 1_000_000_000],
  ['1T', 1e12],
  ['0.5Ki', 512],
];
for (const [text, bytes] of valid) {
  test(`parseSize(${JSON.stringify(text)}) = ${bytes}`, () => {
    assert.is(parseSize(text), bytes);
  });
}

const invalid: (string | number)[] = ['', 'Mi', '64 Mi', '64mi', '64MiB', '-1', '1e3', 'lots', -5, Number.NaN, Infinity];
for (const text of invalid) {
  test(`parseSize(${JSON.stringify(text)}) is refused with E_SIZE`, () => {
    try {
      parseSize(text);
      assert.unreachable('should throw');
    } catch (err) {
      assert.instance(err, BerthError);
      assert.is((err as BerthError).code, 'E_SIZE');
    }
  });
}

test.run();
