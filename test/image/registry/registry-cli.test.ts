/**
 * The registry verbs end to end through the CLI (`node --import tsx
 * src/cli/main.ts`): login checks and stores credentials with mode 0600,
 * search lists the catalog, logout forgets them; pull and push print
 * plain progress lines off a terminal.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { saveCredentials } from '../../../src/image/registry/auth-store.js';
import { RegistryClient } from '../../../src/image/registry/registry-client.js';
import { startLocalRegistry, type LocalRegistry } from '../../helpers/local-registry.js';
import { makeTinyImage } from './tiny-image.js';

const test = suite('registry-cli');
const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
const creds = { username: 'berth', password: `pw-${randomBytes(4).toString('hex')}` };
let reg: LocalRegistry;
let root: string;

function berth(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', main, '--root', root, ...args], { env: { ...process.env, BERTH_INSECURE_REGISTRIES: '' } }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err });
    });
    child.stdin!.end(input ?? '');
  });
}

test.before(async () => {
  reg = await startLocalRegistry({ auth: creds });
  root = await mkdtemp(join(tmpdir(), 'bt-cli-root-'));
  const c = new RegistryClient({ host: reg.host, insecure: true, credentials: creds });
  const img = makeTinyImage();
  for (const b of [img.layer, img.config]) await c.putBlob('web/frontend', b, b.bytes);
  await c.putManifest('web/frontend', 'v1', img.manifest.bytes, img.manifest.mediaType);
});
test.after(async () => {
  await reg?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

test('login with a wrong password fails and stores nothing', async () => {
  const r = await berth(['login', reg.host, '-u', creds.username, '--password-stdin', '--insecure'], 'wrong\n');
  assert.is(r.code, 1);
  assert.match(r.err, 'rejected');
  await stat(join(root, 'auth.json')).then(() => assert.unreachable('auth.json written'), () => undefined);
});

test('search before login says login needed', async () => {
  const r = await berth(['search', `${reg.host}/front`, '--insecure']);
  assert.is(r.code, 1);
  assert.match(r.err, `login needed: berth login ${reg.host}`);
});

test('login, search, logout', async () => {
  const r = await berth(['login', reg.host, '-u', creds.username, '--password-stdin', '--insecure'], `${creds.password}\n`);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, 'Login succeeded');
  const file = join(root, 'auth.json');
  assert.is((await stat(file)).mode & 0o777, 0o600);
  assert.ok(JSON.parse(await readFile(file, 'utf8')).auths[reg.host].auth);
  const s = await berth(['search', `${reg.host}/front`, '--tags', '--insecure']);
  assert.is(s.code, 0, s.err);
  assert.is(s.out.trim(), `${reg.host}/web/frontend  v1`);
  const out = await berth(['logout', reg.host]);
  assert.match(out.out, 'Removed');
  assert.equal(JSON.parse(await readFile(file, 'utf8')).auths, {});
});

test('pull and push through the CLI (non-TTY progress lines)', async () => {
  await saveCredentials(root, reg.host, creds);
  const pull = await berth(['pull', `${reg.host}/web/frontend:v1`, '--insecure']);
  assert.is(pull.code, 0, pull.err);
  assert.match(pull.out, `${reg.host}/web/frontend:v1: sha256:`);
  assert.match(pull.err, 'layer: downloaded');
  const push = await berth(['push', `${reg.host}/web/frontend:v1`, `${reg.host}/web/copy:v2`, '--insecure', '--mount-from', 'web/frontend']);
  assert.is(push.code, 0, push.err);
  assert.match(push.err, 'layer: mounted');
  const tags = await new RegistryClient({ host: reg.host, insecure: true, credentials: creds }).listTags('web/copy');
  assert.equal(tags, ['v2']);
});

test.run();
