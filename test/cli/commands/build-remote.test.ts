/**
 * `berth build` against a remote agent (--host tcp://… --token), end to end
 * with the real parts: a real agent with a TCP listener, the CLI packing and
 * uploading the context, a real build, then `berth run --rm` of the image to
 * read back what arrived: a binary file byte for byte, an executable
 * script's mode, an absolute and a relative symlink, the .dockerignore'd
 * files absent. A broken Dockerfile over TCP reports file:line:col with the
 * user's path; the agent's temp folders are gone afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runBerth, startAgentProcess, uniqueName, type AgentProcess } from '../../helpers/agent-process.js';
import { requireRoot, requireTool } from '../../helpers/require-tool.js';
import { freePort } from '../../helpers/free-port.js';

let agent: AgentProcess;
let remote: string[] = [];
let ctx = '';
const tag = `${uniqueName()}:v1`;
const blob = randomBytes(200_000);
const big = Buffer.alloc(9 * 1024 * 1024, 7);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');


const leftovers = () => {
  const dir = join(agent.root, 'build-contexts');
  return existsSync(dir) ? readdirSync(dir) : [];
};

test.before(async () => {
  requireRoot();
  requireTool('conmon');
  ctx = mkdtempSync(join(tmpdir(), 'bt-remote-ctx-'));
  mkdirSync(join(ctx, 'sub'));
  mkdirSync(join(ctx, 'secret'));
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY . /app/\n');
  writeFileSync(join(ctx, '.dockerignore'), 'secret\n**/*.tmp\n');
  writeFileSync(join(ctx, 'blob.bin'), blob);
  writeFileSync(join(ctx, 'big.bin'), big);
  writeFileSync(join(ctx, 'run.sh'), '#!/bin/sh\necho script-ran\n');
  chmodSync(join(ctx, 'run.sh'), 0o750);
  symlinkSync('/etc/hostname', join(ctx, 'sub/abs'));
  symlinkSync('../run.sh', join(ctx, 'sub/rel'));
  writeFileSync(join(ctx, 'secret/key'), 'do not send');
  writeFileSync(join(ctx, 'sub/scratch.tmp'), 'do not send');
  writeFileSync(join(ctx, 'Dockerfile.bad'), 'FROM busybox\nCOPY . /app/\nFRMO nothing\n');
  const port = await freePort();
  agent = await startAgentProcess({ applyOnStart: false, args: ['--no-docker-socket', '--listen', `tcp://127.0.0.1:${port}`] });
  const token = readFileSync(join(agent.root, 'api-token'), 'utf8').trim();
  remote = ['-H', `tcp://127.0.0.1:${port}`, '--token', token];
});

test.after(async () => {
  try {
    if (agent) assert.equal(await agent.cleanup(), [], 'nothing left behind');
  } finally {
    if (ctx) rmSync(ctx, { recursive: true, force: true });
  }
});

test('build over TCP uploads the context; the image holds it exactly, without the ignored files', async () => {
  const built = await runBerth([...remote, 'build', '-t', tag, ctx], 180_000);
  assert.is(built.code, 0, built.stderr);
  assert.match(built.stdout, new RegExp(`^${tag.split(':')[0]}:v1: sha256:[0-9a-f]{64}\\n$`));
  assert.match(built.stderr, /sending context 9\.\d MB/, 'a big context shows its upload');
  assert.match(built.stderr, /sent context \d+\.\d MB in/);
  const script = 'cd /app && md5sum blob.bin big.bin && stat -c "%a %n" run.sh && readlink sub/abs && readlink sub/rel && ls -A . sub && ./run.sh';
  const ran = await runBerth([...remote, 'run', '--rm', '--network', 'none', tag, 'sh', '-c', script], 60_000);
  assert.is(ran.code, 0, ran.stderr);
  const out = ran.stdout;
  assert.match(out, `${md5(blob)}  blob.bin`);
  assert.match(out, `${md5(big)}  big.bin`);
  assert.match(out, '750 run.sh');
  assert.match(out, '/etc/hostname\n../run.sh\n');
  assert.match(out, 'script-ran');
  assert.not.match(out, 'secret');
  assert.not.match(out, 'scratch.tmp');
  assert.match(out, '.dockerignore', 'the .dockerignore itself is part of the context, as with docker');
  assert.equal(leftovers(), [], 'the upload folder is removed after the build');
});

test('a broken Dockerfile over TCP: file:line:col with the path the user typed', async () => {
  const bad = join(ctx, 'Dockerfile.bad');
  const res = await runBerth([...remote, 'build', '-t', tag, '-f', bad, ctx], 60_000);
  assert.is(res.code, 1);
  assert.match(res.stderr, `${bad}:3:1:`);
  assert.match(res.stderr, /unknown instruction FRMO/);
  assert.match(res.stderr, /hint: did you mean FROM\?/);
  assert.not.match(res.stderr, 'build-contexts', "the agent's temp folder is never shown");
  assert.equal(leftovers(), [], 'the upload folder is removed after a failed build too');
});

test.run();
