/**
 * A lock between processes on one state dir (the agent and, until the API
 * lands, CLI verbs calling the library): `mkdir <dir>/lock` is atomic; the
 * holder writes its pid inside. A lock whose pid is dead (a crash) is taken
 * over; one without a pid file is taken over after `staleMs`.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';

/** Timing knobs; tests shorten them. */
export interface DirLockOptions {
  timeoutMs?: number;
  pollMs?: number;
  staleMs?: number;
}

/** Runs `fn` holding `<dir>/lock`. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, opts: DirLockOptions = {}): Promise<T> {
  const { timeoutMs = 60_000, pollMs = 20, staleMs = 5_000 } = opts;
  const lock = join(dir, 'lock');
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(lock);
    if ((holder === undefined && ageMs(lock) > staleMs) || (holder !== undefined && !alive(holder))) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new BerthError('E_NET_LOCKED', `the network state in ${dir} is locked by pid ${holder ?? '?'}`, {
        hint: `wait for that berth process to finish; if it is gone, remove ${lock}`,
      });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function holderOf(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
