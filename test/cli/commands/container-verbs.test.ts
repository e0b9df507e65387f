/**
 * `berth run/create/start/kill/rm/ps/logs/exec` end to end: a real agent on
 * a temp root, the CLI from the sources, busybox made by berth on first use.
 * Bad input (memory string, missing image, missing command, port taken)
 * fails with one clear error and leaves no unit behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAgentProcess, uniqueName, type AgentProcess } from '../../helpers/agent-process.js';
import { requireTool } from '../../helpers/require-tool.js';

requireTool('crun', 'scripts/setup installs crun and conmon');

let a: AgentProcess;
const names = async () => (await a.client.get<{ name: string }[]>('/v1/units')).map((u) => u.name);

test.before(async () => {
  a = await startAgentProcess({ applyOnStart: false });
});

test.after(async () => {
  const left = await a.cleanup();
  assert.equal(left, [], 'nothing left behind');
});

test('run --rm streams the output and exits with the command\'s code, leaving no unit', async () => {
  const name = uniqueName('rm');
  const r = await a.cli(['run', '--rm', '--name', name, 'busybox', 'sh', '-c', 'echo out-line; echo err-line >&2; exit 7']);
  assert.is(r.code, 7, r.stderr);
  assert.match(r.stdout, 'out-line');
  assert.match(r.stderr, 'err-line');
  assert.not.ok((await names()).includes(name));
});

test('run -d, ps, logs, exec, kill, rm', async () => {
  const name = uniqueName('d');
  const r = await a.cli(['run', '-d', '--name', name, '-e', 'GREETING=hi', '-m', '64Mi', 'busybox', 'sh', '-c', 'echo $GREETING; exec sleep 300']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), name);
  await a.waitUnit(name, (u) => u.state === 'running');
  const ps = await a.cli(['ps', '-q']);
  assert.ok(ps.stdout.split('\n').includes(name), ps.stdout);
  const logs = await a.cli(['logs', name]);
  assert.match(logs.stdout, 'hi');
  const ex = await a.cli(['exec', name, 'sh', '-c', 'echo $GREETING']);
  assert.is(ex.code, 0, ex.stderr);
  assert.is(ex.stdout.trim(), 'hi');
  const busy = await a.cli(['rm', name]);
  assert.is(busy.code, 1);
  assert.match(busy.stderr, 'is running');
  assert.is((await a.cli(['kill', name])).code, 0);
  const u = await a.waitUnit(name, (v) => !v.pid && ['exited', 'failed'].includes(v.state));
  assert.is(u.lastExit?.signal, 'SIGKILL');
  assert.is((await a.cli(['rm', name])).code, 0);
  assert.not.ok((await names()).includes(name));
});

test('create, then start; stop; rm -f', async () => {
  const name = uniqueName('c');
  const c = await a.cli(['create', '--name', name, 'busybox', 'sleep', '300']);
  assert.is(c.code, 0, c.stderr);
  assert.is((await a.unit(name))?.state, 'created');
  assert.is((await a.cli(['start', name])).code, 0);
  await a.waitUnit(name, (u) => u.state === 'running');
  assert.is((await a.cli(['rm', '-f', name])).code, 0);
  assert.not.ok((await names()).includes(name));
});

test('bad input: one clear error naming the cause, nothing left', async () => {
  const before = await names();
  const mem = await a.cli(['run', '-d', '-m', '64Zi', 'busybox', 'true']);
  assert.is(mem.code, 1);
  assert.match(mem.stderr, '--memory');
  assert.match(mem.stderr, 'not a size');
  const img = await a.cli(['run', '-d', 'bt-no-such-image', 'true']);
  assert.is(img.code, 1);
  assert.match(img.stderr, 'bt-no-such-image');
  assert.match(img.stderr, 'not in the local image store');
  const cmd = await a.cli(['run', '-d', 'busybox', '/bt-no-such-command']);
  assert.is(cmd.code, 1);
  assert.match(cmd.stderr, '/bt-no-such-command');
  assert.match(cmd.stderr, 'not found');
  const net = await a.cli(['run', '-d', '--network', 'bt-nonet', 'busybox', 'true']);
  assert.is(net.code, 1);
  assert.match(net.stderr, 'bt-nonet');
  assert.equal(await names(), before);
});

test.run();
