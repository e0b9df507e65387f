/**
 * The API of a real agent process (temp root, unix socket, TCP with a token,
 * then TLS after a restart) running two `isolation: process` units, and the
 * CLI against it: auth, streaming (NDJSON, SSE with Last-Event-ID), event
 * resume across a restart without gap or duplicate, --json validated against
 * the API's schemas, --quiet, colours, exit codes.
 */
import { execFileSync, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type, type TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { ApiClient } from '../../src/api/client.js';
import { EventSchema, InfoSchema, UnitDetailSchema, UnitViewSchema } from '../../src/api/schemas.js';
import type { BerthEvent } from '../../src/supervisor/events.js';
import { requireRoot, requireTool } from '../helpers/require-tool.js';
import { runBerth, startAgentProcess, uniqueName, until, type AgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';

const A = uniqueName('a');
const B = uniqueName('b');
const unit = (name: string) => `name: ${name}\nkind: service\nisolation: process\nrun: { command: [sleep, "1000"] }\n`;

let agent: AgentProcess;
let port = 0;
let token = '';
let certDir = '';


/** Asserts `value` matches a TypeBox schema, naming the first mismatch. */
function assertSchema(schema: TSchema, value: unknown, what: string): void {
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate(value), `${what} does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
}

/** Raw GET with headers over the agent's socket; collects `ms` of the body. */
function rawGet(path: string, headers: Record<string, string>, ms: number): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: agent.socket, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      const t = setTimeout(() => res.destroy(), ms);
      res.on('close', () => {
        clearTimeout(t);
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
      });
    });
    req.on('error', reject);
  });
}

/** The seqs of an event list, checked to be consecutive from `first`. */
function assertConsecutive(events: BerthEvent[], first: number, what: string): void {
  assert.ok(events.length > 0, `${what}: no events`);
  assert.equal(events.map((e) => e.seq), events.map((_, i) => first + i), `${what}: seqs ${events.map((e) => e.seq).join(',')} are not ${first}, ${first + 1}, …`);
}


test.before(async () => {
  requireRoot();
  requireTool('openssl', 'apt-get install openssl (scripts/setup lists it)');
  requireTool('script', 'apt-get install bsdutils (script runs the CLI on a pseudo-terminal)');
  port = await freePort();
  agent = await startAgentProcess({ units: { [`${A}.yaml`]: unit(A), [`${B}.yaml`]: unit(B) }, args: ['--no-docker-socket', '--listen', `tcp://127.0.0.1:${port}`] });
  token = execFileSync('cat', [join(agent.root, 'api-token')], { encoding: 'utf8' }).trim();
  for (const n of [A, B]) await agent.waitUnit(n, (u) => u.state === 'running' && !!u.pid);
});

test.after(async () => {
  const left = agent ? await agent.cleanup() : [];
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  assert.equal(left, [], 'the agent left processes behind');
});

test('unix socket: mode 0660; units listed with their pids', async () => {
  assert.is(statSync(agent.socket).mode & 0o777, 0o660);
  const units = await agent.client.get<{ name: string; pid?: number }[]>('/v1/units');
  assert.equal(units.map((u) => u.name).sort(), [A, B].sort());
  assertSchema(Type.Array(UnitViewSchema), units, 'GET /v1/units');
  const bad = await rawGet('/v1/nothing', {}, 2000);
  assert.is(bad.status, 404);
  assert.match(bad.body, /"code":"E_NOT_FOUND"/);
});

test('TCP: the token file is 0600; none or a wrong token is 401 and logged once per request; the right one works', async () => {
  assert.is(statSync(join(agent.root, 'api-token')).mode & 0o777, 0o600);
  assert.match(token, /^[0-9a-f]{64}$/);
  const host = `tcp://127.0.0.1:${port}`;
  const before = (agent.output().match(/api: 401/g) ?? []).length;
  const none = await new ApiClient({ host }).get('/v1/units').catch((e: { code: string }) => e.code);
  const wrong = await new ApiClient({ host, token: 'f'.repeat(64) }).get('/v1/units').catch((e: { code: string }) => e.code);
  assert.is(none, 'E_UNAUTHORIZED');
  assert.is(wrong, 'E_UNAUTHORIZED');
  const lines = await until('two 401 lines in the agent log', () => {
    const l = agent.output().split('\n').filter((x) => x.includes('api: 401')).slice(before);
    return l.length >= 2 ? l : undefined;
  }, 5000, 50);
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /GET \/v1\/units from 127\.0\.0\.1 \(no token\)/);
  assert.match(lines[1]!, /wrong token/);
  const units = await new ApiClient({ host, token }).get<{ name: string }[]>('/v1/units');
  assert.is(units.length, 2);
  const cli = await runBerth(['-H', host, '--token', token, 'ps', '-q']);
  assert.is(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim().split('\n').sort(), [A, B].sort());
  const denied = await runBerth(['-H', host, 'ps']);
  assert.is(denied.code, 1);
  assert.match(denied.stderr, /bearer token/);
});

test('events: NDJSON follow delivers new events in order; SSE resumes after Last-Event-ID', async () => {
  const last = (await agent.events()).pop()!.seq;
  const got: BerthEvent[] = [];
  const s = agent.client.stream<BerthEvent>(`/v1/events?follow=true&since=${last}`, (e) => got.push(e));
  try {
    await agent.client.post(`/v1/units/${A}/restart`);
    await until('unit.started after the restart on the stream', () => (got.some((e) => e.type === 'unit.started' && e.unit === A) ? true : undefined), 20_000, 50);
    assertConsecutive(got, last + 1, 'NDJSON follow');
    for (const e of got) assertSchema(EventSchema, e, `event ${e.seq}`);
  } finally {
    s.stop();
  }
  const sse = await rawGet('/v1/events?follow=true', { accept: 'text/event-stream', 'last-event-id': String(last) }, 1500);
  assert.is(sse.status, 200);
  assert.match(sse.type, /text\/event-stream/);
  const frames = sse.body.split('\n\n').filter((f) => f.includes('data: '));
  const ids = frames.map((f) => Number(/^id: (\d+)$/m.exec(f)?.[1]));
  assert.equal(ids.slice(0, got.length), got.map((e) => e.seq), 'SSE ids after Last-Event-ID');
  const first = JSON.parse(/^data: (.*)$/m.exec(frames[0]!)![1]!) as BerthEvent;
  assert.is(first.seq, last + 1);
  assert.match(frames[0]!, new RegExp(`^event: ${first.type}$`, 'm'));
});

test('CLI --json of ps, info, events and inspect matches the API schemas; --quiet prints ids', async () => {
  const [ps, info, events, inspect, quiet] = await Promise.all([
    agent.cli(['ps', '-a', '--json']),
    agent.cli(['info', '--json']),
    agent.cli(['events', '--json', '--since', '0']),
    agent.cli(['inspect', A, B]),
    agent.cli(['ps', '-a', '--quiet']),
  ]);
  for (const r of [ps, info, events, inspect, quiet]) assert.is(r.code, 0, r.stderr);
  assertSchema(Type.Array(UnitViewSchema), JSON.parse(ps.stdout), 'berth ps --json');
  assertSchema(InfoSchema, JSON.parse(info.stdout), 'berth info --json');
  const lines = events.stdout.trim().split('\n').map((l) => JSON.parse(l) as BerthEvent);
  assertConsecutive(lines, 1, 'berth events --json');
  for (const e of lines) assertSchema(EventSchema, e, `berth events --json line ${e.seq}`);
  const detail = JSON.parse(inspect.stdout) as { name: string }[];
  assertSchema(Type.Array(UnitDetailSchema), detail, 'berth inspect');
  assert.equal(detail.map((d) => d.name), [A, B]);
  assert.equal(quiet.stdout.trim().split('\n').sort(), [A, B].sort());
});

test('berth events -f --json streams the ledger from --since until Ctrl-C, then exits 0', async () => {
  const last = (await agent.events()).pop()!.seq;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-H', agent.host, 'events', '-f', '--json', '--since', '0'], {
    cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await until(`events up to #${last} on berth events -f`, () => (out.split('\n').filter(Boolean).length >= last ? true : undefined), 60_000, 100);
    child.kill('SIGINT');
    assert.is(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  assertConsecutive(out.trim().split('\n').map((l) => JSON.parse(l) as BerthEvent), 1, 'berth events -f --json');
});

test('CLI exit codes: 0 ok, 1 error (one line, no stack), 2 usage; no agent: one line with the address and how to start one', async () => {
  const dead = join(tmpdir(), `${uniqueName()}.sock`);
  const [missing, usage, verb, noArg, noAgent] = await Promise.all([
    agent.cli(['inspect', 'bt-nosuchunit']),
    agent.cli(['ps', '--no-such-flag']),
    agent.cli(['no-such-verb']),
    agent.cli(['inspect']),
    runBerth(['-H', `unix://${dead}`, 'ps']),
  ]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /no unit named bt-nosuchunit/);
  assert.not.match(missing.stderr, /\n\s+at /, 'no stack trace');
  assert.is(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /unknown option '--no-such-flag'/);
  assert.is(verb.code, 2, verb.stderr);
  assert.is(noArg.code, 2, noArg.stderr);
  assert.match(noArg.stderr, /missing required argument/);
  assert.is(noAgent.code, 1);
  const text = noAgent.stderr.trim();
  assert.is(text.split('\n').length, 1, `one line, got:\n${text}`);
  assert.ok(text.includes(`unix://${dead}`), text);
  assert.match(text, /berth agent/);
});

test('colours only on a terminal, and never with NO_COLOR', async () => {
  const cmd = `${process.execPath} --import tsx src/cli/main.ts -H ${agent.host} ps`;
  const onTty = (env: Record<string, string | undefined>) =>
    new Promise<string>((resolve, reject) => {
      execFile('script', ['-qec', cmd, '/dev/null'], { cwd: new URL('../..', import.meta.url).pathname, env: env as NodeJS.ProcessEnv, timeout: 60_000 }, (err, out) => (err ? reject(err) : resolve(out)));
    });
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm' };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const [tty, noColor, piped] = await Promise.all([onTty(base), onTty({ ...base, NO_COLOR: '1' }), agent.cli(['ps'])]);
  assert.match(tty, /\x1b\[3\dm/, 'a terminal gets colours');
  assert.ok(tty.includes(A));
  assert.not.match(noColor, /\x1b\[/, 'NO_COLOR: none');
  assert.ok(noColor.includes(A));
  assert.not.match(piped.stdout, /\x1b\[/, 'a pipe: none');
});

test('resume across an agent restart (SIGKILL): since=N gives exactly N+1…; then TLS with --tls-ca', async () => {
  const seen = await agent.events(0);
  const n = seen[seen.length - 1]!.seq;
  assertConsecutive(seen, 1, 'ledger before the restart');
  await agent.kill('SIGKILL');
  certDir = mkdtempSync(join(tmpdir(), 'bt-tls-'));
  const cert = join(certDir, 'cert.pem');
  const key = join(certDir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  await agent.start({ args: ['--tls-cert', cert, '--tls-key', key] });
  const after = await agent.events(n);
  assertConsecutive(after, n + 1, 'since=N after the restart');
  assert.ok(after.some((e) => e.type === 'agent.started'), 'the new agent.started is among them');
  assert.equal((await agent.events(0)).slice(0, seen.length), seen, 'what was seen before is unchanged');

  const https = `https://127.0.0.1:${port}`;
  const [trusted, untrusted] = await Promise.all([
    runBerth(['-H', `tcp://127.0.0.1:${port}`, '--token', token, '--tls-ca', cert, 'ps', '-q']),
    runBerth(['-H', https, '--token', token, 'ps', '-q']),
  ]);
  assert.is(trusted.code, 0, trusted.stderr);
  assert.equal(trusted.stdout.trim().split('\n').sort(), [A, B].sort());
  assert.is(untrusted.code, 1);
  assert.match(untrusted.stderr, /certificate.*--tls-ca/i);
  assert.is(untrusted.stderr.trim().split('\n').length <= 2, true, untrusted.stderr);
  assert.equal(await new ApiClient({ host: https, token, tlsCa: cert }).get('/v1/health'), { ok: true }, 'https:// with the CA');
  const plain = await new ApiClient({ host: `tcp://127.0.0.1:${port}`, token }).get('/v1/health').catch((e: { code: string }) => e.code);
  assert.is.not(plain, undefined);
  assert.not.equal(plain, { ok: true }, 'plain HTTP is refused by the TLS listener');
});

test.run();
