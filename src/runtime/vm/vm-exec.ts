/**
 * `exec` into a micro-VM without an agent or extra kernel modules: the
 * request travels as files in a read-write 9p share (`<dir>/exec/<id>/`:
 * run.sh, stdin) and a wake-up line `BERTH-EXEC <id>` on the serial
 * console's input (the control FIFO the driver already writes signals to).
 * The guest's /init (init-script.ts) runs `sh run.sh` in its own session
 * under busybox `time -o` with stdout/stderr to files in the same folder,
 * then renames `code.tmp` to `code`. The host polls for `code`, reads the
 * rest, and removes the folder. A timeout sends `BERTH-EXEC-KILL <id>`
 * (SIGKILL to the command's process group). One exec at a time per guest
 * (the driver queues them), so the guest never races its first mount.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecOptions, ExecResult } from '../driver.js';
import { signalName } from '../process/state.js';
import { BERTH_DIR, runAsWords, shQuote } from './init-script.js';

/** What a guest exec needs from the driver. */
export interface GuestExecDeps {
  /** the instance's exec share folder (`<dir>/exec`) */
  shareDir: string;
  /** writes one line into the serial console's input; false when QEMU is gone */
  send: (line: string) => boolean;
  /** is QEMU still running? */
  alive: () => boolean;
  /** how long to wait for the command when options.timeoutMs is unset */
  defaultTimeoutMs?: number;
  /** the guest must start the command within this (default 60 s: TCG on a loaded host) */
  ackMs?: number;
  pollMs?: number;
}

/** Pure: the script the guest runs for one exec (env, workdir and user applied, then the argv exec'd). */
export function execScript(argv: string[], options: ExecOptions = {}): string {
  const B = `${BERTH_DIR}/busybox`;
  const lines = ['# berth exec (generated; see src/runtime/vm/vm-exec.ts)'];
  for (const [k, v] of Object.entries(options.env ?? {})) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) lines.push(`export ${k}=${shQuote(v)}`);
  if (options.workdir) lines.push(`cd ${shQuote(options.workdir)} || exit 126`);
  lines.push(`exec ${runAsWords(B, options.user, argv)}`, '');
  return lines.join('\n');
}

/** Pure: the result from the files the guest wrote (`time -o` tells a signal from an exit code). */
export function execResultOf(code: string, status: string, stdout: string, stderr: string): ExecResult {
  const sig = /^Command terminated by signal (\d+)/m.exec(status);
  if (sig) return { code: null, signal: signalName(Number(sig[1])), stdout, stderr };
  return { code: Number(code.trim()), signal: null, stdout, stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (path: string) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };

/** Runs argv in the guest and resolves with its outcome; throws when the guest is gone or never answers. */
export async function guestExec(deps: GuestExecDeps, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const id = randomBytes(6).toString('hex');
  const dir = join(deps.shareDir, id);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'run.sh'), execScript(argv, options));
    writeFileSync(join(dir, 'stdin'), options.input ?? '');
    if (!deps.send(`BERTH-EXEC ${id}`)) throw new Error('the VM is not running');
    const poll = deps.pollMs ?? 25;
    const started = Date.now();
    const limit = started + (options.timeoutMs ?? deps.defaultTimeoutMs ?? 3_600_000);
    const ackBy = started + (deps.ackMs ?? 60_000);
    let killedAt: number | undefined;
    while (!existsSync(join(dir, 'code'))) {
      if (!deps.alive()) throw new Error('the VM stopped while the command ran');
      if (Date.now() > ackBy && !existsSync(join(dir, 'pid'))) throw new Error(`the guest did not start the command within ${deps.ackMs ?? 60_000} ms (is its /init berth's?)`);
      if (killedAt === undefined && Date.now() > limit) {
        killedAt = Date.now();
        deps.send(`BERTH-EXEC-KILL ${id}`);
      }
      if (killedAt !== undefined && Date.now() - killedAt > 10_000) throw new Error(`the command did not end within ${options.timeoutMs} ms, nor after SIGKILL`);
      await sleep(poll);
    }
    return execResultOf(read(join(dir, 'code')), read(join(dir, 'status')), read(join(dir, 'stdout')), read(join(dir, 'stderr')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
