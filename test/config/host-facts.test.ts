import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectHostFacts, parseOsRelease } from '../../src/config/host-facts.js';

test('parseOsRelease reads quoted and bare values, ignores comments', () => {
  const r = parseOsRelease('# c\nNAME="Debian GNU/Linux"\nVERSION_ID=12\nID=debian\nbad line\n');
  assert.equal(r, { NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian' });
});

test('collectHostFacts reports this host', () => {
  const f = collectHostFacts();
  assert.ok(f.hostname.length > 0);
  assert.ok(f.cpus >= 1);
  assert.ok(f.memory > 1024 * 1024);
  assert.ok(f.interfaces.lo, 'loopback is listed');
  assert.ok(f.interfaces.lo!.ipv4.includes('127.0.0.1'));
  assert.match(f.ipv4, /^[0-9.]+$/);
  assert.ok(f.kernel.length > 0);
  assert.is(f.arch, process.arch);
});

test.run();
