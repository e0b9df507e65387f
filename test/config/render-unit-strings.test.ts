import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderUnitStrings } from '../../src/config/render-unit-strings.js';
import { FACTS, makeSpec } from './spec-helper.js';

const ctx = { facts: FACTS, secrets: { token: 'tok-123456' } };
const unitText = 'name: web\nkind: service\nvars: { port: 8080 }\nrun:\n  command: [httpd, -p, "{{ prot }}"]\n';

test('renders run.command, env, entrypoint and health strings', () => {
  const spec = makeSpec('web', {
    vars: { port: 8080 },
    run: { command: ['httpd', '-p', '{{ port }}'], entrypoint: ['/bin/{{ unit.name }}'], env: { HOST: '{{ host.hostname }}', T: '{{ secrets.token }}', PLAIN: 'a}}b' } },
    health: { check: { type: 'http', url: 'http://127.0.0.1:{{ port }}/' }, everyMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 0, onUnhealthy: 'restart' },
  });
  const { spec: out, errors } = renderUnitStrings(spec, ctx);
  assert.equal(errors, []);
  assert.equal(out.run.command, ['httpd', '-p', '8080']);
  assert.equal(out.run.entrypoint, ['/bin/web']);
  assert.equal(out.run.env, { HOST: 'testhost', T: 'tok-123456', PLAIN: 'a}}b' });
  assert.equal(out.health!.check, { type: 'http', url: 'http://127.0.0.1:8080/' });
  assert.equal(spec.run.command, ['httpd', '-p', '{{ port }}'], 'the input spec is not changed');
});

test('an undefined variable is an error at the unit file key', () => {
  const spec = makeSpec('web', { vars: { port: 8080 }, run: { command: ['httpd', '-p', '{{ prot }}'] } });
  const { errors } = renderUnitStrings(spec, ctx, unitText);
  assert.is(errors.length, 1);
  assert.is(errors[0]!.message, 'undefined variable `prot` — did you mean `port`?');
  assert.is(errors[0]!.path, 'run.command[2]');
  assert.is(errors[0]!.line, 5);
  assert.is(errors[0]!.column, 24);
});

test('a syntax error is reported, not thrown', () => {
  const spec = makeSpec('web', { run: { env: { A: '{{ 1 + }}' } } });
  const { errors, spec: out } = renderUnitStrings(spec, ctx, 'name: web\n');
  assert.is(errors.length, 1);
  assert.is(errors[0]!.path, 'run.env.A');
  assert.is(out.run.env.A, '{{ 1 + }}');
});

test.run();
