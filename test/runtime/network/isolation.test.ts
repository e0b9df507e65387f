import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ISOLATION_CHAIN, isolationChanges, isolationRules } from '../../../src/runtime/network/isolation.js';

const tagged = (b: string) => isolationRules(b).map((r) => `-A ${ISOLATION_CHAIN} ${r.join(' ').replace(`berth:${b}`, `"berth:${b}"`)}`);
const save = (...rules: string[]) => ['*filter', ':FORWARD ACCEPT [0:0]', `:${ISOLATION_CHAIN} - [0:0]`, `-A FORWARD -j ${ISOLATION_CHAIN}`, ...rules, 'COMMIT'].join('\n');

test('rules: same bridge accepted, other berth bridges dropped unless DNAT, own traffic accepted', () => {
  const rules = isolationRules('berth-a').map((r) => r.join(' '));
  assert.is(rules.length, 4);
  assert.match(rules[0]!, /^-i berth-a -o berth-a .* -j ACCEPT$/);
  assert.match(rules[1]!, /^-i berth-a -o berth-\+ -m conntrack ! --ctstate DNAT .* -j DROP$/);
});

test('present on an empty table: chain, jump first in FORWARD, four rules', () => {
  const out = isolationChanges('*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT', 'berth-a', 'present');
  assert.is(out[0], `:${ISOLATION_CHAIN} - [0:0]`);
  assert.is(out[1], `-I FORWARD 1 -j ${ISOLATION_CHAIN}`);
  assert.is(out.length, 6);
});

test('present when already there: nothing to do; a partial set is replaced', () => {
  assert.equal(isolationChanges(save(...tagged('berth-a')), 'berth-a', 'present'), []);
  const partial = isolationChanges(save(tagged('berth-a')[0]!), 'berth-a', 'present');
  assert.is(partial.filter((l) => l.startsWith('-D ')).length, 1);
  assert.is(partial.filter((l) => l.startsWith('-A ')).length, 4);
});

test('absent: removes only this bridge (not berth-ab), keeps the chain while others use it', () => {
  const out = isolationChanges(save(...tagged('berth-a'), ...tagged('berth-ab')), 'berth-a', 'absent');
  assert.is(out.length, 4);
  assert.ok(out.every((l) => l.startsWith(`-D ${ISOLATION_CHAIN} `) && l.includes('"berth:berth-a"')));
});

test('absent, last one: the jump and the chain go too', () => {
  const out = isolationChanges(save(...tagged('berth-a')), 'berth-a', 'absent');
  assert.equal(out.slice(-2), [`-D FORWARD -j ${ISOLATION_CHAIN}`, `-X ${ISOLATION_CHAIN}`]);
  assert.equal(isolationChanges('*filter\nCOMMIT', 'berth-a', 'absent'), []);
});

test.run();
