import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCycles } from '../../src/config/find-cycles.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

const cases: [string, Record<string, string[]>, string[][]][] = [
  ['no edges', { a: [], b: [] }, []],
  ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
  ['a diamond', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, []],
  ['a self loop', { a: ['a'] }, [['a', 'a']]],
  ['two nodes', { web: ['db'], db: ['web'] }, [['db', 'web', 'db']]],
  ['three nodes, smallest first', { web: ['db'], db: ['cache'], cache: ['web'] }, [['cache', 'web', 'db', 'cache']]],
  ['two separate cycles', { a: ['b'], b: ['a'], x: ['y'], y: ['x'], z: ['a'] }, [['a', 'b', 'a'], ['x', 'y', 'x']]],
  ['shortest loop inside a component', { a: ['b', 'c'], b: ['c'], c: ['a'] }, [['a', 'c', 'a']]],
  ['edge to an unknown node', { a: ['ghost'] }, []],
];
for (const [name, edges, want] of cases) {
  test(name, () => {
    assert.equal(findCycles(graph(edges)), want);
  });
}

test('a long chain does not overflow the stack', () => {
  const edges = new Map<string, string[]>();
  for (let i = 0; i < 20_000; i++) edges.set(`u${i}`, i + 1 < 20_000 ? [`u${i + 1}`] : ['u0']);
  const cycles = findCycles(edges);
  assert.is(cycles.length, 1);
  assert.is(cycles[0]!.length, 20_001);
});

test.run();
