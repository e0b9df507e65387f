/**
 * The OCI runtime's verbs (`state`, `kill`, `pause`, `resume`, `exec`,
 * `delete`) with berth's own `--root`. Only `create`/`run` set up cgroups and
 * need crun's hybrid-cgroup wrapper (conmon runs it, see create-wrapper.ts);
 * every verb here works on the binary itself, which saves three process
 * starts per call (tried on crun 1.8.1: state, pause, resume, exec,
 * kill --all and delete -f, cgroups removed).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateCommand } from './create-wrapper.js';
import { processAlive } from './proc-info.js';
import type { RuntimeInfo } from './runtime-detect.js';
import { runCommand, type CommandResult } from './run-command.js';

/** The runtime's view of a container (from `RUNTIME state`). */
export interface RuntimeState {
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

/** Options for `OciRuntime.exec`. */
export interface RuntimeExecOptions {
  env?: Record<string, string>;
  /** numeric `uid:gid` */
  user?: string;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** Thin wrapper over one runtime binary and one state root. */
export class OciRuntime {
  /**
   * @param create what conmon runs to create a container (see
   *   create-wrapper.ts); defaults to `info.command` as is
   */
  constructor(readonly info: RuntimeInfo, readonly root: string, readonly create: CreateCommand = { argv: [info.command], hideControllersWith: null }) {}

  /** Runs `RUNTIME --root ROOT args…` (the binary, not the create wrapper). */
  call(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand(this.info.path, ['--root', this.root, ...args], options);
  }

  /** The container's state, or null when the runtime does not know it. */
  async state(id: string): Promise<RuntimeState | null> {
    const r = await this.call(['state', id]);
    if (r.code !== 0) return null;
    try {
      const s = JSON.parse(r.stdout) as { status: RuntimeState['status']; pid: number };
      return { status: s.status, pid: s.pid };
    } catch {
      return null;
    }
  }

  /** Sends `signal` (e.g. `SIGTERM`) to the init process, or to every process with `all`. */
  kill(id: string, signal: string, all = false): Promise<CommandResult> {
    return this.call(['kill', ...(all ? ['--all'] : []), id, signal.replace(/^SIG/, '')]);
  }

  /** Freezes the container (cgroup freezer). */
  pause(id: string): Promise<CommandResult> {
    return this.call(['pause', id]);
  }

  /** Thaws the container. */
  resume(id: string): Promise<CommandResult> {
    return this.call(['resume', id]);
  }

  /** Removes the runtime's state (and its cgroups); `force` kills first. */
  delete(id: string, force = true): Promise<CommandResult> {
    return this.call(['delete', ...(force ? ['--force'] : []), id]);
  }

  /**
   * Forgets a container whose processes are all gone, without running the
   * runtime: for a stopped container `delete` only removes its state
   * directory (cgroups are removed by the caller). Returns false when the
   * runtime's state says a process may still live (then call `delete`).
   */
  forgetStopped(id: string, pidsLeft: boolean): boolean {
    const dir = join(this.root, id);
    if (pidsLeft) return false;
    const pid = this.recordedPid(dir);
    if (pid > 0 && processAlive(pid)) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** The init pid in the runtime's state file (crun: `status`, runc: `state.json`), 0 when unknown. */
  private recordedPid(dir: string): number {
    for (const file of ['status', 'state.json']) {
      try {
        const s = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { pid?: number; init_process_pid?: number };
        return s.pid ?? s.init_process_pid ?? 0;
      } catch { /* not this runtime's file */ }
    }
    return 0;
  }

  /**
   * `delete --force`, then unmount `rootfs` (lazily if busy), in one process:
   * forking the agent (a large Node process) costs more than the work here.
   */
  deleteAndUnmount(id: string, rootfs: string): Promise<CommandResult> {
    const script = '"$0" --root "$1" delete --force "$2"; rc=$?; umount "$3" 2>/dev/null || umount -l "$3"; exit $rc';
    return runCommand('sh', ['-c', script, this.info.path, this.root, id, rootfs]);
  }

  /** Runs `argv` inside the running container and captures its output. */
  exec(id: string, argv: readonly string[], o: RuntimeExecOptions = {}): Promise<CommandResult> {
    const args = ['exec'];
    for (const [k, v] of Object.entries(o.env ?? {})) args.push('--env', `${k}=${v}`);
    if (o.user) args.push('--user', o.user);
    if (o.cwd) args.push('--cwd', o.cwd);
    args.push(id, ...argv);
    return this.call(args, { input: o.input, timeoutMs: o.timeoutMs });
  }
}
