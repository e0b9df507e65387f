/**
 * conmon, the per-container monitor (as podman and CRI-O use it). conmon
 * forks, detaches (own session, not our child), runs `RUNTIME create`, then
 * holds the container's stdio, writes the k8s-file log (truncating it at
 * --log-size-max), and writes the exit status to `<exit-dir>/<id>` (and an
 * `oom` file in its persist dir on an OOM kill). We learn the container pid
 * through conmon's sync pipe (`_OCI_SYNCPIPE`, api version 1).
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Everything conmon needs for one container. */
export interface ConmonOptions {
  conmon: string;
  id: string;
  name: string;
  /** what conmon executes as the runtime: a binary and the arguments that come before its own (see create-wrapper.ts) */
  runtimeArgv: readonly string[];
  runtimeRoot: string;
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  logPath: string;
  logSizeMax: number;
  exitDir: string;
  persistDir: string;
  socketDir: string;
}

/** conmon's argv (pure). */
export function buildConmonArgs(o: ConmonOptions): string[] {
  return [
    '--api-version', '1',
    '-c', o.id, '-u', o.id, '-n', o.name,
    '-r', o.runtimeArgv[0]!, ...o.runtimeArgv.slice(1).flatMap((a) => ['--runtime-arg', a]), '--runtime-arg', `--root=${o.runtimeRoot}`,
    '-b', o.bundle, '-p', o.pidFile, '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`, '--log-size-max', String(o.logSizeMax),
    '--exit-dir', o.exitDir, '-0', o.persistDir, '--socket-dir-path', o.socketDir,
    '--log-level', 'error',
  ];
}

/** What conmon's sync pipe reports: the container pid, or an error message. */
export type SyncResult = { ok: true; pid: number } | { ok: false; message: string };

/** Parses conmon's sync-pipe message (`{"data": PID}` or `{"data": -1, "message": "…"}`). */
export function parseSyncMessage(text: string): SyncResult | null {
  const m = /\{[^}]*\}/.exec(text);
  if (!m) return null;
  try {
    const msg = JSON.parse(m[0]) as { data?: number; message?: string };
    if (typeof msg.data === 'number' && msg.data > 0) return { ok: true, pid: msg.data };
    return { ok: false, message: (msg.message ?? `conmon reported ${String(msg.data)}`).trim() };
  } catch {
    return null;
  }
}

/** Starts conmon detached and resolves with the container's pid once `RUNTIME create` succeeded. */
export function startConmon(o: ConmonOptions, timeoutMs = 30_000): Promise<SyncResult> {
  return new Promise((resolve) => {
    const child = spawn(o.conmon, buildConmonArgs(o), {
      // conmon writes an `oom` marker into its working directory too: keep it in the container's folder
      cwd: o.bundle,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
    });
    const sync = child.stdio[3] as Readable;
    let text = '';
    let stderr = '';
    let settled = false;
    const finish = (r: SyncResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sync.destroy();
      child.stderr?.destroy();
      child.unref();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, message: `conmon gave no answer within ${timeoutMs} ms` }), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    sync.setEncoding('utf8');
    sync.on('data', (d: string) => {
      text += d;
      const r = parseSyncMessage(text);
      if (r) finish(r);
    });
    sync.on('error', () => { /* closed */ });
    sync.on('close', () => {
      // give the parent's exit a moment to carry stderr
      setTimeout(() => finish(parseSyncMessage(text) ?? { ok: false, message: stderr.trim() || 'conmon exited without reporting' }), 50);
    });
    child.on('error', (err) => finish({ ok: false, message: `cannot run conmon: ${err.message}` }));
  });
}
