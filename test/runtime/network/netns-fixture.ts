/**
 * Helpers for the real network tests: network namespaces made with `ip
 * netns`, commands run in them with `nsenter --net` (never `ip netns exec`,
 * which remounts /sys, see PLATFORM.md), and busybox servers we can kill.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../helpers/free-port.js';
export { freePort };

const run = promisify(execFile);

/** Runs a command; never throws, returns the exit code and output. */
export async function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { timeout: 15_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** Creates /run/netns/<name>; returns its path. */
export async function createNetns(name: string): Promise<string> {
  const r = await sh('ip', ['netns', 'add', name]);
  if (r.code !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
  return `/run/netns/${name}`;
}

/** Deletes a namespace if it exists. */
export async function deleteNetns(name: string): Promise<void> {
  await sh('ip', ['netns', 'del', name]);
}

/** Runs argv inside the namespace's network (busybox applets: pass ['busybox', 'ping', …]). */
export function inNetns(path: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return sh('nsenter', [`--net=${path}`, ...argv]);
}

/** Runs a shell line in the namespace with `hostsFile` bind-mounted at /etc/hosts (private mount namespace). */
export function inNetnsWithHosts(path: string, hostsFile: string, line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return sh('nsenter', [`--net=${path}`, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${hostsFile} /etc/hosts && ${line}`]);
}

/** Starts a foreground busybox httpd serving `dir` on port 80 inside the namespace. */
export function startHttpd(path: string, dir: string): ChildProcess {
  return spawn('nsenter', [`--net=${path}`, 'busybox', 'httpd', '-f', '-p', '80', '-h', dir], { stdio: 'ignore' });
}


/** GET over node's http client with a timeout; resolves to the body or the error text. */
export async function httpGet(url: string, timeoutMs = 3000): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return await res.text();
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** Retries `fn` until it returns true or `ms` passes (servers take a moment to listen). */
export async function eventually(fn: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}
