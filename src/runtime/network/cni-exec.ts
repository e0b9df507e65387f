/**
 * Runs one CNI plugin binary: finds it on CNI_PATH, passes the CNI_*
 * environment and the config on stdin, and returns its stdout or throws the
 * error it printed. The only file in berth that executes CNI plugins.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { buildCniEnv, parseCniError, type CniCommand, type CniTarget } from './cni-protocol.js';

/** Where Debian's containernetworking-plugins puts its binaries. */
export const DEFAULT_CNI_PATH = ['/usr/lib/cni', '/opt/cni/bin'];

/** Executes plugin `type` once; injected into the chain runner so its logic is testable without plugins. */
export type CniExec = (type: string, command: CniCommand, target: CniTarget, stdin: string) => Promise<string>;

/** Finds a plugin binary on the CNI path, or says how to get it. */
export function findPlugin(type: string, cniPath: string[]): string {
  for (const dir of cniPath) {
    const path = join(dir, type);
    if (existsSync(path)) return path;
  }
  throw new BerthError('E_CNI_MISSING', `CNI plugin "${type}" not found in ${cniPath.join(':')}`, {
    hint: 'install containernetworking-plugins (scripts/setup does it)',
  });
}

/** The real CniExec: spawn the binary with a minimal environment (PATH for iptables, plus CNI_*). */
export const execCniPlugin: CniExec = (type, command, target, stdin) => {
  const bin = findPlugin(type, target.cniPath);
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...buildCniEnv(command, target) };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new BerthError('E_CNI', `cannot run CNI plugin ${bin}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(parseCniError(type, command, stdout, stderr, code));
    });
    child.stdin.on('error', () => undefined); // a plugin that exits early closes stdin; its exit code tells the story
    child.stdin.end(stdin);
  });
};

/** The plugin's VERSION reply (only CNI_COMMAND is set, as the spec says). */
export function execCniVersion(type: string, cniPath: string[]): Promise<string> {
  const bin = findPlugin(type, cniPath);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env: { CNI_COMMAND: 'VERSION' }, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(parseCniError(type, 'VERSION', stdout, '', code))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify({ cniVersion: '1.0.0' }));
  });
}
