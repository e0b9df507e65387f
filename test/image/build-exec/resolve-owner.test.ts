/** --chown and WORKDIR owners resolved in the image's own passwd/group. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveOwner } from '../../../src/image/build-exec/resolve-owner.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n';
const group = 'root:x:0:\nstaff:x:50:\napp:x:1001:\n';

test('names and numbers, the primary group by default', () => {
  assert.equal(resolveOwner('', passwd, group), { uid: 0, gid: 0 });
  assert.equal(resolveOwner('app', passwd, group), { uid: 1000, gid: 1001 });
  assert.equal(resolveOwner('app:staff', passwd, group), { uid: 1000, gid: 50 });
  assert.equal(resolveOwner('1000', passwd, group), { uid: 1000, gid: 1001 });
  assert.equal(resolveOwner('4242:7', passwd, group), { uid: 4242, gid: 7 });
  assert.equal(resolveOwner('4242', passwd, group), { uid: 4242, gid: 4242 });
});

test('unknown names are errors with a hint', () => {
  assert.throws(() => resolveOwner('nobody', passwd, group), /user "nobody" is not in the image's \/etc\/passwd/);
  assert.throws(() => resolveOwner('app:wheel', passwd, group), /group "wheel"/);
});

test.run();
