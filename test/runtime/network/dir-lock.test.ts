import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDirLock } from '../../../src/runtime/network/dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'bt-lock-'));

test('holders run one at a time and the lock is gone afterwards', async () => {
  const log: string[] = [];
  const job = (name: string) => withDirLock(dir, async () => {
    log.push(`${name}+`);
    await new Promise((r) => setTimeout(r, 10));
    log.push(`${name}-`);
  }, { pollMs: 2 });
  await Promise.all([job('a'), job('b')]);
  assert.equal(log, ['a+', 'a-', 'b+', 'b-']);
  assert.ok(!existsSync(join(dir, 'lock')));
});

test('a lock left by a dead process is taken over', async () => {
  const dead = Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"'], { encoding: 'utf8' }).trim());
  mkdirSync(join(dir, 'lock'));
  writeFileSync(join(dir, 'lock', 'pid'), String(dead));
  assert.is(await withDirLock(dir, async () => 42, { timeoutMs: 200 }), 42);
});

test('a live holder makes others wait, then time out with E_NET_LOCKED', async () => {
  mkdirSync(join(dir, 'lock'));
  writeFileSync(join(dir, 'lock', 'pid'), String(process.pid));
  try {
    await withDirLock(dir, async () => 1, { timeoutMs: 30, pollMs: 5 });
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code?: string }).code, 'E_NET_LOCKED');
    assert.match((err as Error).message, new RegExp(`pid ${process.pid}`));
  } finally {
    rmSync(join(dir, 'lock'), { recursive: true, force: true });
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
