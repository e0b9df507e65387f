import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveContextSources } from '../../../src/image/build/resolve-context-sources.js';
import { fakeContext } from './plan-helpers.js';

const ctx = fakeContext(['a.txt', 'b.txt', 'src/', 'src/x.js', 'src/deep/', 'src/deep/y.js', 'docs/', 'docs/r.md', 'lnk -> src', 'loop -> loop', 'd2/', 'd2/loop']);

// [sources, roots or error substring]
const CASES: [string[], string[] | string][] = [
  [['a.txt'], ['a.txt']],
  [['./a.txt'], ['a.txt']],
  [['*.txt'], ['a.txt', 'b.txt']],
  [['src'], ['src']],
  [['src/'], ['src']],
  [['src/*'], ['src/deep', 'src/x.js']],
  [['src/**/*.js'], ['src/deep/y.js', 'src/x.js']],
  [['s?c/x.js'], ['src/x.js']],
  [['[ab].txt'], ['a.txt', 'b.txt']],
  [['.'], ['.']],
  [['lnk/x.js'], ['src/x.js']],
  [['a.txt', 'a.txt'], ['a.txt']],
  [['src/../a.txt'], ['a.txt']],
  [['src/../../a.txt'], 'outside the build context'],
  [['/a.txt'], 'absolute path'],
  [['loop'], 'symlink loop'],
  [['d2/loop'], ['d2/loop']],
  [['nope'], 'matches no file'],
  [['a.txt', '*.none'], 'source "*.none" matches no file'],
];

test('sources resolve like Docker COPY, or fail naming the source', () => {
  for (const [sources, want] of CASES) {
    const got = resolveContextSources(sources, ctx);
    if (typeof want === 'string') {
      assert.ok('message' in got && got.message.includes(want), `${sources}: ${JSON.stringify(got)}`);
      if ('message' in got) assert.is(got.source, sources.length - 1);
    } else {
      assert.equal('roots' in got && got.roots, want, sources.join(' '));
    }
  }
});

test('a matched directory brings everything under it, once', () => {
  const got = resolveContextSources(['src', 'src/x.js'], ctx);
  assert.equal('files' in got && got.files.map((f) => f.path), ['src', 'src/deep', 'src/deep/y.js', 'src/x.js']);
  const all = resolveContextSources(['.'], ctx);
  assert.is('files' in all && all.files.length, ctx.size);
});

test.run();
