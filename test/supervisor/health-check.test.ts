import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createProbe, probeExec, probeHttp, probeTcp } from '../../src/supervisor/health-check.js';

let server: Server;
let base = '';
test.before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') { res.end('fine'); return; }
    if (req.url === '/moved') { res.writeHead(302, { location: '/elsewhere' }).end(); return; }
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 300); return; }
    res.writeHead(500).end('database down\nmore');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(() => { server.closeAllConnections(); server.close(); });

test('http: 2xx and 3xx are healthy, 5xx is not, with the answer as output', async () => {
  assert.equal(await probeHttp(`${base}/ok`, 1000), { ok: true, output: 'HTTP 200: fine' });
  assert.is((await probeHttp(`${base}/moved`, 1000)).ok, true);
  assert.equal(await probeHttp(`${base}/broken`, 1000), { ok: false, output: 'HTTP 500: database down' });
});

test('http: a slow answer fails at the timeout; a closed port fails at once', async () => {
  const slow = await probeHttp(`${base}/slow`, 40);
  assert.is(slow.ok, false);
  assert.match(slow.output, 'within 40ms');
  const closed = await probeHttp('http://127.0.0.1:1/', 1000);
  assert.is(closed.ok, false);
  assert.match(closed.output, 'ECONNREFUSED');
});

test('tcp: connects to a listening port, fails on a closed one', async () => {
  const srv = createTcpServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    assert.is((await probeTcp('127.0.0.1', port, 1000)).ok, true);
    assert.is((await createProbe({ type: 'tcp', host: '127.0.0.1', port }, 1000)()).ok, true);
  } finally { srv.close(); }
  const r = await probeTcp('127.0.0.1', 1, 1000);
  assert.is(r.ok, false);
  assert.match(r.output, 'ECONNREFUSED');
});

test('exec: exit 0 is healthy; output and failures are reported', async () => {
  const seen: string[][] = [];
  const exec = async (argv: string[]) => {
    seen.push(argv);
    return argv[0] === 'ok' ? { code: 0, signal: null, stdout: 'ready\n', stderr: '' } : { code: 1, signal: null, stdout: '', stderr: 'not ready\n' };
  };
  assert.equal(await probeExec(exec, ['ok'], 100), { ok: true, output: 'exit 0: ready' });
  assert.equal(await createProbe({ type: 'exec', command: ['bad'] }, 100, exec)(), { ok: false, output: 'exit 1: not ready' });
  const thrown = await probeExec(async () => { throw new Error('no such instance'); }, ['x'], 100);
  assert.equal(thrown, { ok: false, output: 'could not run x: no such instance' });
  assert.throws(() => createProbe({ type: 'exec', command: ['x'] }, 100));
  assert.equal(seen, [['ok'], ['bad']]);
});

test.run();
