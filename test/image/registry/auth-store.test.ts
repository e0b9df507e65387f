import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { authKey, loadCredentials, removeCredentials, saveCredentials } from '../../../src/image/registry/auth-store.js';

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bt-auth-'));
  try {
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('save writes containers-auth.json with mode 0600; load reads it back', () =>
  withRoot(async (root) => {
    await saveCredentials(root, '127.0.0.1:5000', { username: 'u', password: 'p:with:colons' });
    const file = join(root, 'auth.json');
    assert.is((await stat(file)).mode & 0o777, 0o600);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(doc, { auths: { '127.0.0.1:5000': { auth: Buffer.from('u:p:with:colons').toString('base64') } } });
    assert.equal(await loadCredentials(root, '127.0.0.1:5000'), { username: 'u', password: 'p:with:colons' });
    assert.is(await loadCredentials(root, 'other.example'), undefined);
  }));

test('other entries and fields survive; logout removes one host', () =>
  withRoot(async (root) => {
    await writeFile(join(root, 'auth.json'), JSON.stringify({ auths: { 'quay.io': { auth: 'eDp5' } }, credHelpers: { x: 'y' } }));
    await saveCredentials(root, 'index.docker.io', { username: 'a', password: 'b' });
    const doc = JSON.parse(await readFile(join(root, 'auth.json'), 'utf8'));
    assert.equal(Object.keys(doc.auths).sort(), ['docker.io', 'quay.io']);
    assert.equal(doc.credHelpers, { x: 'y' });
    assert.ok(await removeCredentials(root, 'docker.io'));
    assert.not.ok(await removeCredentials(root, 'docker.io'));
    assert.equal(await loadCredentials(root, 'quay.io'), { username: 'x', password: 'y' });
  }));

test('a broken auth.json is E_AUTH_FILE with a hint', () =>
  withRoot(async (root) => {
    await writeFile(join(root, 'auth.json'), '{nope');
    await loadCredentials(root, 'x').then(
      () => assert.unreachable(),
      (err: { code: string; hint: string }) => {
        assert.is(err.code, 'E_AUTH_FILE');
        assert.match(err.hint, 'berth login');
      },
    );
  }));

test('authKey normalises Docker Hub aliases and schemes', () => {
  assert.is(authKey('registry-1.docker.io'), 'docker.io');
  assert.is(authKey('https://Quay.io/v2/'), 'quay.io');
  assert.is(authKey('127.0.0.1:5000'), '127.0.0.1:5000');
});

test.run();
