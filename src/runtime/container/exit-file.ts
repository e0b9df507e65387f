/**
 * conmon's exit file: when the container's init exits, conmon writes its
 * status (the exit code, or 128 + signal number) to `<exit-dir>/<id>`.
 * `waitForFile` watches the directory with inotify (fs.watch) and a slow
 * poll as a safety net, so waiting costs no CPU.
 */
import { readFileSync, watch } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname } from 'node:path';

/** The status conmon wrote, or null when the file is not there (yet). */
export function readExitStatus(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? null : Number(text);
  } catch {
    return null;
  }
}

const SIGNAL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(constants.signals).map(([name, num]) => [num, name]),
);

/**
 * conmon's status → code/signal. 129..192 is read as "killed by signal
 * status-128" (as shells and Docker do); a process that exits with such a
 * code on purpose is indistinguishable.
 */
export function decodeStatus(status: number): { code: number | null; signal: string | null } {
  if (status > 128 && status <= 128 + 64) {
    const sig = SIGNAL_NAMES[status - 128];
    return { code: null, signal: sig ?? `SIG${status - 128}` };
  }
  return { code: status, signal: null };
}

/**
 * Resolves when `path` exists with content, or when `gone()` says the
 * writer died without writing it (then resolves null). Polls every `pollMs`
 * as a fallback to inotify.
 */
export function waitForFile(path: string, gone: () => boolean, pollMs = 1000): Promise<number | null> {
  return new Promise((resolve) => {
    let done = false;
    let watcher: ReturnType<typeof watch> | undefined;
    const finish = (v: number | null) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      watcher?.close();
      resolve(v);
    };
    const check = () => {
      const status = readExitStatus(path);
      if (status !== null) finish(status);
      else if (gone()) {
        // the writer may have just finished: read once more before giving up
        const late = readExitStatus(path);
        finish(late);
      }
    };
    const timer = setInterval(check, pollMs);
    try {
      watcher = watch(dirname(path), (_event, name) => {
        if (name === null || name === basename(path)) check();
      });
      watcher.on('error', () => { /* dir removed: the poll decides */ });
    } catch { /* dir missing: the poll decides */ }
    check();
  });
}
