/**
 * Starts a real `docker-registry` (Debian, distribution 2.8) for tests: its
 * own config, 127.0.0.1 on a free port, storage in a temp dir, delete
 * enabled, optionally htpasswd basic auth. `stop()` kills it and removes the
 * dir; call it in a finally.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './require-tool.js';
import { freePort } from './free-port.js';
export { freePort };

/** A running test registry. */
export interface LocalRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  dir: string;
  /** Output of the registry so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Options of a test registry. */
export interface LocalRegistryOptions {
  /** Require basic auth with this user and password (bcrypt htpasswd). */
  auth?: { username: string; password: string };
}


async function waitReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within 15 s:\n${log()}`);
}

/** Starts a registry and waits until it answers /v2/. */
export async function startLocalRegistry(opts: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const bin = requireTool('docker-registry', 'run scripts/setup (installs the Debian package docker-registry)');
  const dir = await mkdtemp(join(tmpdir(), 'bt-registry-'));
  const port = await freePort();
  let authBlock = '';
  if (opts.auth) {
    requireTool('htpasswd', 'run scripts/setup (installs apache2-utils for htpasswd)');
    const line = execFileSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' }).trim();
    await writeFile(join(dir, 'htpasswd'), `${line}\n`);
    authBlock = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    authBlock,
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn(bin, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  // If the test process dies without stop(), take the registry and its dir with it.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await once(child, 'exit');
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(port, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, port, dir, log: () => out, stop };
}
