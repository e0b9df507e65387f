/**
 * Finds the OCI runtime to use: crun if it runs a container here, else runc.
 * On hybrid cgroup hosts (v1 controllers + a cgroup2 with a controller),
 * crun 1.8 refuses to run; the fix is a per-call wrapper that hides the
 * cgroup2's controllers from crun in a private mount namespace (PLATFORM.md),
 * used for `create` only (the one verb that sets cgroups up). Chosen over the host-wide fix (remounting hugetlb as v1) because it changes
 * nothing on the host; it costs one `unshare` + `sh` + `mount` per call.
 * The probe runs a real container once and is cached under the state dir.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/** The runtime berth drives, and how (shown by `berth info`). */
export interface RuntimeInfo {
  name: 'crun' | 'runc';
  version: string;
  /** the runtime binary */
  path: string;
  /** what conmon executes to `create` (the binary, or the wrapper script); other verbs use `path` */
  command: string;
  fix: 'none' | 'hybrid-cgroup-wrapper';
  /** one line: why this runtime and fix */
  why: string;
}

const UNIFIED_CONTROLLERS = '/sys/fs/cgroup/unified/cgroup.controllers';

/** True when a hybrid cgroup2 at /sys/fs/cgroup/unified has controllers (crun refuses then). */
export function hybridWithControllers(): boolean {
  try {
    return readFileSync(UNIFIED_CONTROLLERS, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The wrapper script text: private mount ns, hide the cgroup2 controllers, exec the runtime. */
export function wrapperScript(runtimePath: string, emptyFile: string): string {
  return `#!/bin/sh\n# berth: crun on hybrid cgroups (see PLATFORM.md); generated, do not edit\nexec unshare -m --propagation private sh -c 'mount --bind ${emptyFile} ${UNIFIED_CONTROLLERS} && exec ${runtimePath} "$@"' ${runtimePath} "$@"\n`;
}

async function which(name: string): Promise<string | null> {
  const r = await runCommand('sh', ['-c', `command -v ${name}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

async function versionOf(path: string): Promise<string> {
  const r = await runCommand(path, ['--version']);
  return /version\s+(\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/**
 * Runs `/usr/bin/true` in fresh namespaces on a throwaway rootfs that shows
 * the host's /usr read-only: does this runtime work here?
 */
async function probe(command: string, dir: string): Promise<string | null> {
  const id = `berth-probe-${process.pid}-${Date.now().toString(36)}`;
  const bundle = join(dir, id);
  for (const d of ['usr', 'proc', 'dev']) mkdirSync(join(bundle, 'rootfs', d), { recursive: true });
  for (const l of ['bin', 'lib', 'lib64']) symlinkSync(`usr/${l}`, join(bundle, 'rootfs', l));
  const config = {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/usr/bin/true'], cwd: '/', env: ['PATH=/usr/bin:/bin'] },
    root: { path: 'rootfs', readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: [] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
    ],
    linux: { namespaces: [{ type: 'mount' }, { type: 'pid' }], cgroupsPath: `/berth/${id}` },
  };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const r = await runCommand(command, ['--root', join(dir, 'state'), 'run', '--bundle', bundle, id], { timeoutMs: 20_000 });
  rmSync(bundle, { recursive: true, force: true });
  return r.code === 0 ? null : (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.code}`;
}

/** Probes crun (plain, then with the wrapper on hybrid hosts), then runc. Throws when none works. */
export async function probeRuntime(stateDir: string): Promise<RuntimeInfo> {
  const dir = join(stateDir, 'runtime');
  mkdirSync(dir, { recursive: true });
  const failures: string[] = [];
  const crun = await which('crun');
  if (crun) {
    const version = await versionOf(crun);
    const plain = await probe(crun, dir);
    if (plain === null) return { name: 'crun', version, path: crun, command: crun, fix: 'none', why: 'crun runs containers here as is' };
    failures.push(`crun: ${plain}`);
    if (hybridWithControllers()) {
      const empty = join(dir, 'empty');
      writeFileSync(empty, '');
      const wrapper = join(dir, 'crun-hybrid');
      writeFileSync(wrapper, wrapperScript(crun, empty), { mode: 0o755 });
      const wrapped = await probe(wrapper, dir);
      if (wrapped === null) {
        return { name: 'crun', version, path: crun, command: wrapper, fix: 'hybrid-cgroup-wrapper', why: `crun refuses hybrid cgroups (${plain}); every call runs in a private mount ns that hides the cgroup2 controllers` };
      }
      failures.push(`crun with the hybrid-cgroup wrapper: ${wrapped}`);
    }
  } else failures.push('crun: not installed');
  const runc = await which('runc');
  if (runc) {
    const version = await versionOf(runc);
    const r = await probe(runc, dir);
    if (r === null) return { name: 'runc', version, path: runc, command: runc, fix: 'none', why: `crun did not work (${failures.join('; ')}); using runc` };
    failures.push(`runc: ${r}`);
  } else failures.push('runc: not installed');
  throw new Error(`no working OCI runtime: ${failures.join('; ')}`);
}

/** `probeRuntime`, cached in `<stateDir>/runtime/probe.json` until a runtime binary changes. */
export async function detectRuntime(stateDir: string): Promise<RuntimeInfo> {
  const cache = join(stateDir, 'runtime', 'probe.json');
  try {
    const cached = JSON.parse(readFileSync(cache, 'utf8')) as RuntimeInfo & { mtime: number };
    if (existsSync(cached.command) && statSync(cached.path).mtimeMs === cached.mtime) {
      const { mtime: _mtime, ...info } = cached;
      return info;
    }
  } catch { /* no cache yet, or unreadable: probe */ }
  const info = await probeRuntime(stateDir);
  const tmp = `${cache}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...info, mtime: statSync(info.path).mtimeMs }));
  renameSync(tmp, cache);
  return info;
}
