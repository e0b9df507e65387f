/**
 * Runs a host command to completion and returns what happened as a value
 * (exit code, signal, output); a missing binary is code 127, never a throw.
 */
import { spawn } from 'node:child_process';

/** The outcome of one command. */
export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Options for `runCommand`. */
export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns `cmd args`, collects stdout/stderr, resolves when it exits (kills it after `timeoutMs`). */
export function runCommand(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout, stderr: stderr + String(err.message) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => { /* the command may not read its stdin */ });
    child.stdin.end(options.input ?? '');
  });
}

/** Like `runCommand`, but throws an Error carrying stderr when the exit code is not 0. */
export async function runChecked(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const r = await runCommand(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code ?? r.signal}`}`);
  return r.stdout;
}
