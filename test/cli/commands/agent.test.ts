/**
 * `berth agent` flag checks: a TLS certificate without its key (or the
 * reverse, or either without --listen) is a usage error with a hint, before
 * anything starts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTlsFlags } from '../../../src/cli/agent-flags.js';
import { BerthError } from '../../../src/errors.js';
import { runBerth } from '../../helpers/agent-process.js';

const listen = ['tcp://127.0.0.1:0'];

function usageError(fn: () => void): BerthError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, BerthError);
    return err as BerthError;
  }
  throw new Error('expected an E_USAGE error');
}

test('a certificate and its key go together, and with --listen', () => {
  assert.match(usageError(() => checkTlsFlags({ tlsCert: 'c.pem', listen })).message, '--tls-key');
  assert.match(usageError(() => checkTlsFlags({ tlsKey: 'k.pem', listen })).message, '--tls-cert');
  const e = usageError(() => checkTlsFlags({ tlsCert: 'c.pem', tlsKey: 'k.pem' }));
  assert.is(e.code, 'E_USAGE');
  assert.match(e.hint ?? '', '--listen');
  checkTlsFlags({ tlsCert: 'c.pem', tlsKey: 'k.pem', listen });
  checkTlsFlags({ listen });
  checkTlsFlags({});
});

test('berth agent --tls-cert alone exits 1 with the hint, starting nothing', async () => {
  const r = await runBerth(['--root', '/nonexistent/bt-root', 'agent', '--socket', '/nonexistent/b.sock', '--listen', 'tcp://127.0.0.1:0', '--tls-cert', 'c.pem']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /--tls-cert was given without --tls-key/);
  assert.match(r.stderr, /--tls-key server\.key/);
});

test.run();
