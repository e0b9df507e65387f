import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHistory, formatImages, humanSize, timeAgo } from '../../src/image/image-table.js';

const NOW = Date.parse('2026-01-10T12:00:00Z');

test('humanSize uses decimal units', () => {
  assert.is(humanSize(0), '0 B');
  assert.is(humanSize(999), '999 B');
  assert.is(humanSize(1_056_458), '1.06 MB');
  assert.is(humanSize(245_000_000), '245 MB');
});

test('timeAgo', () => {
  assert.is(timeAgo('2026-01-10T11:55:00Z', NOW), '5 minutes ago');
  assert.is(timeAgo('2026-01-09T12:00:00Z', NOW), '1 day ago');
  assert.is(timeAgo(undefined, NOW), 'N/A');
  assert.is(timeAgo('garbage', NOW), 'N/A');
});

test('images table has the documented columns and short digests', () => {
  const out = formatImages([{ repository: 'busybox', tag: 'latest', digest: `sha256:${'ab'.repeat(32)}`, id: 'x', created: '2026-01-10T10:00:00Z', size: 2_000_000 }], NOW);
  const [head, row] = out.trimEnd().split('\n');
  assert.match(head!, /^REPOSITORY\s+TAG\s+DIGEST\s+CREATED\s+SIZE$/);
  assert.match(row!, /^busybox\s+latest\s+abababababab\s+2 hours ago\s+2.00 MB$/);
});

test('history cuts long commands unless told not to', () => {
  const rows = [{ createdBy: 'x'.repeat(100), emptyLayer: true, size: 0 }];
  assert.ok(formatHistory(rows, NOW).includes('…'));
  assert.ok(formatHistory(rows, NOW, Infinity).includes('x'.repeat(100)));
  assert.ok(formatHistory(rows, NOW).includes('<missing>'));
});

test.run();
