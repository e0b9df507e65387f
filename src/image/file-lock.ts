/**
 * Cross-process locks with flock(2) semantics, held by a `flock(1)` child
 * (Node has no flock). The kernel drops the lock when the holder dies: if
 * berth is SIGKILLed, the child's stdin closes, `cat` exits and the lock is
 * released — no stale lock files to clean up.
 */
import { spawn } from 'node:child_process';
import { BerthError } from '../errors.js';

/** Options for {@link withFileLock}. */
export interface LockOptions {
  /** A shared (reader) lock instead of an exclusive one. */
  shared?: boolean;
  /** Give up after this long (default 120 s) with E_LOCK_TIMEOUT. */
  timeoutMs?: number;
}

/** Runs `fn` while holding a flock on `path` (created if missing). */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the lock and returns a function that releases it. */
export function acquireFileLock(path: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 120_000) / 1000));
  const child = spawn('flock', [options.shared ? '-s' : '-x', '-w', String(seconds), path, 'sh', '-c', 'echo locked && exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stderr = '';
    let held = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new BerthError('E_LOCK', `cannot run flock for ${path}: ${err.message}`, { hint: 'install util-linux (scripts/setup)', cause: err })));
    child.stdout.on('data', (d: Buffer) => {
      if (held || !d.toString().includes('locked')) return;
      held = true;
      resolve(async () => {
        child.stdin.end();
        await exited;
      });
    });
    void exited.then((code) => {
      if (held) return;
      reject(new BerthError('E_LOCK_TIMEOUT', `could not lock ${path} within ${seconds} s (exit ${code}) ${stderr.trim()}`.trim(), {
        hint: 'another berth process holds the image store lock; wait for it to finish and retry',
      }));
    });
  });
}
