/**
 * The stock `docker` CLI against berth's docker.sock: version, info, ps,
 * run (attached and -d), start, stop, kill, rm, pause, unpause, top, logs
 * (-f), inspect, images, rmi, events, and a clear 501 for the rest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAgentProcess, uniqueName, until, type AgentProcess } from '../../helpers/agent-process.js';
import { requireTool } from '../../helpers/require-tool.js';

requireTool('docker', 'the docker CLI: apt-get install docker.io (the daemon is not needed)');
requireTool('crun', 'scripts/setup installs crun and conmon');

let a: AgentProcess;
let env: NodeJS.ProcessEnv;
const config = mkdtempSync(join(tmpdir(), 'bt-docker-config-'));

/** Runs the docker CLI against berth. */
function docker(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker', args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}
const ok = async (args: string[]) => {
  const r = await docker(args);
  assert.is(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const status = (name: string) => ok(['inspect', '-f', '{{.State.Status}}', name]);

test.before(async () => {
  a = await startAgentProcess({ applyOnStart: false });
  env = { ...process.env, DOCKER_HOST: `unix://${join(dirname(a.socket), 'docker.sock')}`, DOCKER_CONFIG: config };
});

test.after(async () => {
  await docker(['rm', '-f', ...(await a.client.get<{ name: string }[]>('/v1/units')).map((u) => u.name)]).catch(() => undefined);
  const left = await a.cleanup();
  rmSync(config, { recursive: true, force: true });
  assert.equal(left, []);
});

test('version, info, ps', async () => {
  assert.match(await ok(['version', '--format', '{{.Server.APIVersion}}']), '1.41');
  assert.match(await ok(['info', '--format', '{{.OperatingSystem}}']), 'berth');
  await ok(['ps']);
});

test('run --rm (attached): output, exit code, nothing left', async () => {
  const name = uniqueName('rm');
  const r = await docker(['run', '--rm', '--name', name, 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 5']);
  assert.is(r.code, 5, r.stderr);
  assert.is(r.stdout, 'to-out\n');
  assert.match(r.stderr, 'to-err');
  await until('the --rm container to go', async () => ((await ok(['ps', '-a', '-q', '--filter', `name=${name}`])) === '' ? true : undefined), 10_000);
});

test('run -d, ps, top, logs -f, pause/unpause, inspect, kill, start, stop, rm, events', async () => {
  const name = uniqueName('d');
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = await ok(['run', '-d', '--name', name, '-e', 'WHO=berth', '-p', `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}:80`, 'busybox', 'sh', '-c', 'echo hello $WHO; exec sleep 300']);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(await ok(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}}']), new RegExp(`${id.slice(0, 12)} ${name} Up`));
  assert.match(await ok(['top', name]), 'sleep 300');
  await until('the first log line', async () => ((await ok(['logs', name])).includes('hello berth') ? true : undefined), 10_000);
  assert.match(await ok(['inspect', '-f', '{{.Config.Env}} {{.Name}} {{.Id}}', id.slice(0, 8)]), `WHO=berth] /${name} ${id}`);
  await ok(['pause', name]);
  assert.is(await status(name), 'paused');
  await ok(['unpause', name]);
  assert.is(await status(name), 'running');
  // logs -f ends when the container does
  const follow = docker(['logs', '-f', name], 30_000);
  await ok(['kill', name]);
  const f = await follow;
  assert.is(f.code, 0, f.stderr);
  assert.match(f.stdout, 'hello berth');
  assert.is(await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name]), 'exited 137');
  await ok(['start', name]);
  assert.is(await status(name), 'running');
  await ok(['stop', name]);
  assert.is(await status(name), 'exited');
  await ok(['rm', name]);
  const gone = await docker(['inspect', name]);
  assert.is.not(gone.code, 0);
  assert.match(gone.stderr, 'No such object');
  const events = await ok(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000)), '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  for (const action of ['start', 'pause', 'unpause', 'die']) assert.match(events, `${action} ${name}`);
});

test('images, rmi, and a 501 for what berth does not do', async () => {
  assert.match(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'busybox:latest');
  await ok(['rmi', 'busybox']);
  assert.not.match(await ok(['images', '--format', '{{.Repository}}']), 'busybox');
  const r = await docker(['network', 'ls']);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'Error response from daemon: berth does not implement GET /networks');
});

test.run();
