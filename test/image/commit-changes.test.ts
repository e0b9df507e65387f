/** Docker --change lines applied to an image config. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyChanges } from '../../src/image/commit-changes.js';

test('CMD and ENTRYPOINT: JSON form as is, shell form through the shell', () => {
  assert.equal(applyChanges({}, ['CMD ["cat", "/x"]']).Cmd, ['cat', '/x']);
  assert.equal(applyChanges({}, ['CMD echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
  assert.equal(applyChanges({ Shell: ['/bin/ash', '-c'] }, ['entrypoint run it']).Entrypoint, ['/bin/ash', '-c', 'run it']);
});

test('ENV replaces a key in place and appends new ones; LABEL, EXPOSE, WORKDIR, USER', () => {
  const c = applyChanges({ Env: ['PATH=/bin', 'A=1'] }, ['ENV A=2 B="two words"', 'ENV C 3', 'LABEL team=core', 'EXPOSE 80 53/udp', 'WORKDIR /app', 'USER 1000']);
  assert.equal(c.Env, ['PATH=/bin', 'A=2', 'B=two words', 'C=3']);
  assert.equal(c.Labels, { team: 'core' });
  assert.equal(Object.keys(c.ExposedPorts ?? {}), ['80/tcp', '53/udp']);
  assert.is(c.WorkingDir, '/app');
  assert.is(c.User, '1000');
});

test('the input is not changed; a bad change names itself', () => {
  const input = { Env: ['A=1'] };
  applyChanges(input, ['ENV A=2']);
  assert.equal(input.Env, ['A=1']);
  assert.throws(() => applyChanges({}, ['RUN rm -rf /']), /cannot apply change "RUN rm -rf \/"/);
  assert.throws(() => applyChanges({}, ['CMD']), /cannot apply change/);
});

test.run();
