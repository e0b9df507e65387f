import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCniLeftovers, splitRule } from '../../../src/runtime/network/leftovers.js';

const save = [
  '*nat',
  ':CNI-f73c72f43b4d65a3b7a1eaf6 - [0:0]',
  '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
  '-A POSTROUTING -s 10.89.250.2/32 -m comment --comment "name: \\"bt-exp\\" id: \\"c1\\"" -j CNI-f73c72f43b4d65a3b7a1eaf6',
  '-A POSTROUTING -s 10.89.250.3/32 -m comment --comment "name: \\"bt-exp\\" id: \\"c10\\"" -j CNI-0000',
  '-A CNI-f73c72f43b4d65a3b7a1eaf6 -d 10.89.250.0/24 -m comment --comment "name: \\"bt-exp\\" id: \\"c1\\"" -j ACCEPT',
  '-A CNI-f73c72f43b4d65a3b7a1eaf6 ! -d 224.0.0.0/4 -m comment --comment "name: \\"bt-exp\\" id: \\"c1\\"" -j MASQUERADE',
  '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"bt-exp\\" id: \\"c1\\"" -m multiport --dports 18080 -j CNI-DN-f73c72f43b4d65a3b7a1e',
  'COMMIT',
].join('\n');

test('splitRule honours quotes and escaped quotes', () => {
  assert.equal(splitRule('-A X -m comment --comment "name: \\"n\\" id: \\"c\\"" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'name: "n" id: "c"', '-j', 'ACCEPT']);
  assert.equal(splitRule('-A X --comment ""'), ['-A', 'X', '--comment', '']);
});

test('finds exactly the rules and private chains of one container id (not c10, not shared chains)', () => {
  const { rules, chains } = findCniLeftovers(save, 'c1');
  assert.is(rules.length, 4);
  assert.ok(rules.every((r) => r.includes('name: "bt-exp" id: "c1"') || r.includes('dnat name: "bt-exp" id: "c1"')));
  assert.equal(chains.sort(), ['CNI-DN-f73c72f43b4d65a3b7a1e', 'CNI-f73c72f43b4d65a3b7a1eaf6']);
  assert.equal(findCniLeftovers(save, 'c2'), { rules: [], chains: [] });
});

test.run();
