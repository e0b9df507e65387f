/**
 * VmDriver (`isolation: vm`): a unit as a QEMU guest, supervised like a
 * container. Two boots (see qemu-args.ts): the unit's image as a micro-VM
 * (initramfs from the layers + berth's /init, init-script.ts), or an
 * unmodified disk image through a copy-on-write qcow2 overlay.
 *
 * QEMU runs under a detached Perl shim (shim.ts) that outlives the agent,
 * writes the serial console to the log and records the exit; control goes
 * over QMP (qmp.ts): pause = `stop`, unpause = `cont`, status =
 * `query-status`, forced stop = `quit`. Graceful stop of a micro-VM: a
 * `BERTH-SIGNAL` line on the serial console, which the init turns into a
 * signal to the command's process group (no acpid there to hear
 * `system_powerdown`); of a disk image: `system_powerdown` (ACPI).
 *
 * Exec into a micro-VM: files in a 9p share plus a `BERTH-EXEC` line on
 * the console input, answered by berth's /init (vm-exec.ts).
 *
 * Networks: a guest that attaches networks (and a driver given a
 * Networker) sits on berth bridges like a container (vm-network.ts; a disk
 * image learns its addresses from the cloud-init seed's network-config);
 * any other guest gets QEMU user-mode networking with `hostfwd` ports.
 *
 * Per instance, under `<root>/instances/<id>/`: output.log, exit.json,
 * control (FIFO), qmp.sock, qemu.json (the command line), overlay.qcow2,
 * net.json and net/ (berth networks).
 */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsc, existsSync, mkdirSync, openSync, readFileSync, rmSync, watch, writeFileSync, writeSync } from 'node:fs';
import { cpus as hostCpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BerthError, DriverError } from '../../errors.js';
import type { Availability, Driver, ExecOptions, ExecResult, ExitResult, Handle, InstanceSpec, InstanceStatus, ProcessInfo } from '../driver.js';
import { probeAccel, type AccelChoice } from './accel.js';
import type { Networker } from '../network/networker.js';
import { makeVmHandle, vmData, type VmHandleData } from './handle.js';
import { pruneInitramfsCache, type CachePolicy, type PruneDecision } from './initramfs-cache.js';
import { prepareLaunch } from './launch.js';
import { qemuArgs } from './qemu-args.js';
import { qmp, qmpStatus } from './qmp.js';
import { spawnVmShim } from './shim-process.js';
import { exitOf, isAlive, pidsMentioning, procUsage } from './state.js';
import { guestExec } from './vm-exec.js';
import { attachVmNetwork, detachVmNetwork } from './vm-network.js';

/** Where the driver keeps things and what it runs. */
export interface VmDriverOptions {
  /** e.g. `<root>/vm`: instances/, initrd/ cache, accel.json, the shim */
  root: string;
  qemu?: string;
  qemuImg?: string;
  /** default /var/cache/berth/kernel (scripts/fetch-kernel) */
  kernelDir?: string;
  /** a static busybox for the guest's /init (default /bin/busybox) */
  busybox?: string;
  perl?: string;
  /** no first line from the guest within this → E_VM_BOOT_TIMEOUT (default 120 s: TCG on a loaded host is slow) */
  bootTimeoutMs?: number;
  maxLogBytes?: number;
  /** skip the probe (tests, benchmarks) */
  accel?: AccelChoice;
  /** bounds of the initramfs cache (`<root>/initrd`), applied after each new build and by pruneInitrdCache() */
  initrdCache?: Partial<CachePolicy>;
  /** berth networks (CNI): a micro-VM whose spec attaches networks gets a tap NIC on each; without it, user-mode networking */
  networker?: Networker;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The VM driver. */
export class VmDriver implements Driver {
  readonly kind = 'vm';
  private accelPromise?: Promise<AccelChoice>;
  private readonly waits = new Map<string, Promise<ExitResult>>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly execQueues = new Map<string, Promise<unknown>>();
  private readonly qemu: string;
  private readonly qemuImg: string;
  private readonly kernelDir: string;

  constructor(private readonly opts: VmDriverOptions) {
    this.qemu = opts.qemu ?? 'qemu-system-x86_64';
    this.qemuImg = opts.qemuImg ?? 'qemu-img';
    this.kernelDir = opts.kernelDir ?? '/var/cache/berth/kernel';
  }

  /** KVM or TCG, and why (probed once, cached in memory and in `<root>/accel.json`). */
  accel(): Promise<AccelChoice> {
    this.accelPromise ??= this.opts.accel ? Promise.resolve(this.opts.accel)
      : probeAccel({ dir: this.opts.root, qemu: this.qemu, kernel: join(this.kernelDir, 'vmlinux') });
    return this.accelPromise;
  }

  async available(): Promise<Availability> {
    const version = await new Promise<string | null>((r) => execFile(this.qemu, ['--version'], (e, out) => r(e ? null : out.split('\n')[0]!)));
    if (!version) return { ok: false, detail: `${this.qemu} is missing`, hint: 'apt-get install qemu-system-x86 (scripts/setup does)' };
    if (!existsSync(join(this.kernelDir, 'vmlinux'))) return { ok: false, detail: `no guest kernel at ${this.kernelDir}/vmlinux`, hint: 'run scripts/fetch-kernel (scripts/setup does)' };
    const perl = await new Promise<boolean>((r) => execFile(this.opts.perl ?? 'perl', ['-MTime::HiRes', '-e', '1'], (e) => r(!e)));
    if (!perl) return { ok: false, detail: 'perl with Time::HiRes is missing (the VM shim needs it)', hint: 'apt-get install perl' };
    const a = await this.accel();
    return { ok: true, detail: `${version.replace(/^QEMU emulator /, 'qemu ')}; ${a.why}` };
  }

  async start(spec: InstanceSpec): Promise<Handle> {
    const unit = spec.unit;
    const fail = (code: string, msg: string, hint: string) => new DriverError(code, `${unit}: ${msg}`, { unit }, { hint });
    const memoryBytes = spec.vm?.memoryBytes ?? spec.resources.memoryBytes ?? 256 << 20;
    if (memoryBytes > totalmem()) throw fail('E_VM_MEMORY', `vm.memory ${mib(memoryBytes)} is more than this host has (${mib(totalmem())})`, 'lower vm.memory');
    const cpus = Math.min(spec.vm?.cpus ?? spec.resources.cpus ?? 1, hostCpus().length);
    const kernel = spec.vm?.kernel ?? join(this.kernelDir, 'vmlinux');
    if (!spec.disk && !existsSync(kernel)) throw fail('E_VM_KERNEL', `no guest kernel at ${kernel}`, spec.vm?.kernel ? 'check vm.kernel' : 'run scripts/fetch-kernel (scripts/setup does)');
    if (spec.disk && !existsSync(spec.disk)) throw fail('E_VM_DISK', `disk image ${spec.disk} does not exist`, 'check vm.disk');
    const dir = join(this.opts.root, 'instances', spec.id);
    if (existsSync(join(dir, 'output.log'))) throw fail('E_VM_EXISTS', `instance ${spec.id} already exists`, 'destroy it first, or use a new instance id');
    const qmpSocket = join(dir, 'qmp.sock');
    if (Buffer.byteLength(qmpSocket) > 100) throw fail('E_VM_PATH', `the QMP socket path is too long for a unix socket: ${qmpSocket}`, 'use a shorter state root (--root)');
    const accel = await this.accel();
    mkdirSync(dir, { recursive: true });
    try {
      const net = this.networked(spec) ? await attachVmNetwork(this.opts.networker!, spec, dir) : undefined;
      const launch = await prepareLaunch(this.launchContext(), spec, dir, { accel: accel.accel, cpus, memoryBytes, qmpSocket, kernel, ...(net ? { net } : {}) });
      const args = qemuArgs(launch);
      writeFileSync(join(dir, 'qemu.json'), `${JSON.stringify(args)}\n`);
      execFileSync('mkfifo', [join(dir, 'control')]);
      const handle = await this.spawnShim(spec, dir, args, {
        dir, qmpSocket, shimPid: 0, accel: accel.accel, accelWhy: accel.why, mode: spec.disk ? 'disk' : 'microvm', ignored: this.ignoredParts(spec), ...(spec.disk ? {} : { exec: true }),
        ...(net ? { addresses: net.addresses, netns: net.netnsName } : {}),
      });
      await this.awaitBoot(handle);
      return handle;
    } catch (err) {
      // no handle was given out: nobody else would clean it (QEMU, if any, is gone: awaitBoot quits it)
      await detachVmNetwork(this.opts.networker, dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      if (err instanceof DriverError) throw err;
      if (err instanceof BerthError) throw fail(err.code, err.message, err.hint ?? 'see the message'); // e.g. E_NET_UNKNOWN, E_PORT_IN_USE, E_CNI
      throw fail('E_VM_START', (err as Error).message, 'see the message; `qemu-img info` and the unit log help');
    }
  }

  private async spawnShim(spec: InstanceSpec, dir: string, args: string[], data: VmHandleData): Promise<Handle> {
    const logPath = join(dir, 'output.log');
    const { qemuPid, child } = await spawnVmShim({ root: this.opts.root, perl: this.opts.perl, maxLogBytes: this.opts.maxLogBytes }, dir, logPath, args);
    this.children.set(spec.id, child);
    return makeVmHandle(spec.id, spec.unit, qemuPid, Date.now(), logPath, { ...data, shimPid: child.pid! });
  }

  /** Resolves when the guest's init is ready (micro-VM) or printed a first line (disk); kills QEMU on a timeout. */
  private async awaitBoot(handle: Handle): Promise<void> {
    const d = vmData(handle);
    const marker = join(d.dir, d.mode === 'microvm' ? 'ready' : 'booted');
    const limit = Date.now() + (this.opts.bootTimeoutMs ?? 120_000);
    while (Date.now() < limit) {
      if (existsSync(marker)) return;
      if (existsSync(join(d.dir, 'exit.json'))) {
        const tail = logTail(handle.logPath, 5);
        throw new DriverError('E_VM_START', `${handle.unit}: QEMU ended before the guest came up${tail ? `:\n${tail}` : ''}`, { unit: handle.unit }, { hint: 'see the lines above; qemu.json in the instance folder has the command line' });
      }
      await sleep(25);
    }
    await this.forceQuit(handle, 0);
    await this.waitShimGone(d);
    throw new DriverError('E_VM_BOOT_TIMEOUT', `${handle.unit}: the guest did not come up within ${Math.round((this.opts.bootTimeoutMs ?? 120_000) / 1000)} s (no ${d.mode === 'microvm' ? 'BERTH-READY' : 'first'} line on its serial console); QEMU was stopped`,
      { unit: handle.unit, recoverable: true }, { hint: d.mode === 'microvm' ? 'check vm.kernel; under TCG on a loaded host boots are slow' : 'the disk image must print to the serial console (console=ttyS0)' });
  }

  wait(handle: Handle): Promise<ExitResult> {
    let p = this.waits.get(handle.id);
    if (!p) {
      p = this.waitFor(handle);
      this.waits.set(handle.id, p);
    }
    return p;
  }

  private waitFor(handle: Handle): Promise<ExitResult> {
    const d = vmData(handle);
    const over = () => !isAlive(d.shimPid, d.dir) && !isAlive(handle.pid, d.qmpSocket);
    return new Promise((resolve) => {
      let watcher: ReturnType<typeof watch> | undefined;
      const child = this.children.get(handle.id);
      child?.ref(); // a pending wait keeps the agent alive, as any awaited I/O does
      const check = (poll: boolean) => {
        const r = exitOf(d.dir) ?? (poll && over() ? exitOf(d.dir) ?? { code: null, signal: null, oomKilled: false, finishedAt: Date.now() } : null);
        if (!r) return;
        clearInterval(timer);
        watcher?.close();
        child?.unref();
        resolve(r);
      };
      try { watcher = watch(d.dir, () => check(false)); } catch { /* poll only */ }
      const timer = setInterval(() => check(true), 200);
      check(false);
    });
  }

  async stop(handle: Handle, signal: string, timeoutMs: number): Promise<ExitResult> {
    const done = this.wait(handle);
    const d = vmData(handle);
    if (exitOf(d.dir)) return done;
    await qmp(d.qmpSocket, 'cont').catch(() => undefined); // a paused guest cannot act on the request
    await this.gentle(handle, signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(() => r(true), timeoutMs); })]);
    clearTimeout(timer);
    if (timedOut) await this.forceQuit(handle);
    return done;
  }

  async kill(handle: Handle, signal: string): Promise<void> {
    if (signal === 'SIGKILL') await this.forceQuit(handle);
    else await this.gentle(handle, signal);
  }

  /** Asks the guest to act on `signal`: serial marker (micro-VM) or ACPI power button (disk). */
  private async gentle(handle: Handle, signal: string): Promise<void> {
    const d = vmData(handle);
    if (d.mode === 'disk') {
      if (signal === 'SIGTERM' || signal === 'SIGINT') await qmp(d.qmpSocket, 'system_powerdown').catch(() => undefined);
      return;
    }
    sendLine(d.dir, `BERTH-SIGNAL ${signal.replace(/^SIG/, '')}`);
  }

  /** `quit` over QMP (marked as forced: the exit reads as SIGKILL), then SIGKILL if QEMU lingers. */
  private async forceQuit(handle: Handle, graceMs = 3000): Promise<void> {
    const d = vmData(handle);
    if (!isAlive(handle.pid, d.qmpSocket)) return;
    writeFileSync(join(d.dir, 'forced'), '');
    if (graceMs > 0) await qmp(d.qmpSocket, 'quit', undefined, graceMs).catch(() => undefined);
    for (let t = 0; t < graceMs && isAlive(handle.pid, d.qmpSocket); t += 20) await sleep(20);
    if (isAlive(handle.pid, d.qmpSocket)) try { process.kill(handle.pid!, 'SIGKILL'); } catch { /* gone */ }
  }

  async pause(handle: Handle): Promise<void> {
    this.live(handle);
    await this.qmpOrFail(handle, 'stop');
  }

  async unpause(handle: Handle): Promise<void> {
    this.live(handle);
    await this.qmpOrFail(handle, 'cont');
  }

  /** Runs argv in a micro-VM through its /init (vm-exec.ts); one at a time per guest. */
  async exec(handle: Handle, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const d = vmData(handle);
    if (!d.exec) {
      throw new DriverError('E_VM_EXEC', `${handle.unit}: exec is not possible in this VM (${d.mode === 'disk' ? 'a disk-image guest runs its own init, not berth\'s' : 'it was started before berth supported exec; restart it'})`, { unit: handle.unit },
        { hint: 'use a tcp/http health check on a published port, or read the serial log with `berth logs`' });
    }
    this.live(handle);
    if (await qmpStatus(d.qmpSocket).catch(() => 'unknown') === 'paused') {
      throw new DriverError('E_VM_PAUSED', `cannot exec in ${handle.unit} (${handle.id}): it is paused`, { unit: handle.unit, recoverable: true }, { hint: 'unpause it first' });
    }
    const run = () => guestExec({ shareDir: join(d.dir, 'exec'), send: (line) => sendLine(d.dir, line), alive: () => !exitOf(d.dir) && isAlive(handle.pid, d.qmpSocket) }, argv, options);
    const prev = this.execQueues.get(handle.id) ?? Promise.resolve();
    const next = prev.then(run, run);
    this.execQueues.set(handle.id, next.catch(() => undefined));
    try { return await next; } catch (err) {
      throw new DriverError('E_VM_EXEC', `${handle.unit}: exec ${argv[0] ?? ''}: ${(err as Error).message}`, { unit: handle.unit, recoverable: true }, { hint: 'see `berth logs` for what the guest said' });
    }
  }

  async inspect(handle: Handle): Promise<InstanceStatus> {
    const d = vmData(handle);
    const detail: Record<string, unknown> = { accel: d.accel, accelWhy: d.accelWhy, boot: d.mode, qmp: d.qmpSocket, ...(d.netns ? { netns: d.netns } : {}), exec: !!d.exec, ...(d.ignored.length ? { ignoredInVm: d.ignored } : {}) };
    const exit = exitOf(d.dir);
    if (exit) return { state: 'exited', exit, detail };
    if (!isAlive(handle.pid, d.qmpSocket)) return { state: 'gone', detail };
    const status = await qmpStatus(d.qmpSocket).catch(() => 'unknown');
    const usage = procUsage(handle.pid!);
    return { state: status === 'paused' ? 'paused' : 'running', pid: handle.pid!, addresses: d.addresses ?? { user: '10.0.2.15' }, detail: { ...detail, qemuStatus: status }, ...(usage ? { usage } : {}) };
  }

  async top(handle: Handle): Promise<ProcessInfo[]> {
    const d = vmData(handle);
    if (!isAlive(handle.pid, d.qmpSocket)) return [];
    const usage = procUsage(handle.pid!);
    return [{ pid: handle.pid!, ppid: d.shimPid, user: 'root', command: 'qemu-system-x86_64 (the whole guest)', ...(usage ? { rssBytes: usage.memoryBytes } : {}) }];
  }

  async recover(handle: Handle): Promise<Handle | null> {
    const d = vmData(handle);
    if (exitOf(d.dir)) return handle;
    if (!isAlive(handle.pid, d.qmpSocket)) return isAlive(d.shimPid, d.dir) ? handle : null;
    for (let i = 0; i < 10; i++) { // QMP takes one client at a time: retry a busy socket briefly
      if (await qmpStatus(d.qmpSocket).then(() => true, () => false)) break;
      await sleep(100);
    }
    return handle;
  }

  async destroy(handle: Handle): Promise<void> {
    if (!handle.data || Object.keys(handle.data).length === 0) return this.destroyById(handle.id);
    const d = vmData(handle);
    await this.forceQuit(handle, 1000);
    await this.waitShimGone(d);
    await this.removeInstanceDir(handle.unit, d.dir);
    this.children.delete(handle.id);
    this.waits.delete(handle.id);
    this.execQueues.delete(handle.id);
  }

  /** The network (CNI, namespace, taps) first, then the folder; kept for a retry when the network could not be undone. */
  private async removeInstanceDir(unit: string, dir: string): Promise<void> {
    const left = await detachVmNetwork(this.opts.networker, dir);
    if (left.length > 0) {
      throw new DriverError('E_VM_DESTROY', `${unit}: could not remove everything of ${dir}: ${left.join('; ')}`, { unit, recoverable: true }, { hint: 'retry; if it persists, check `ip netns` and the networker state' });
    }
    rmSync(dir, { recursive: true, force: true });
  }

  private networked(spec: InstanceSpec): boolean {
    return !!this.opts.networker && spec.network.attach.length > 0;
  }

  private launchContext() {
    return { qemu: this.qemu, qemuImg: this.qemuImg, kernelDir: this.kernelDir, initrdDir: join(this.opts.root, 'initrd'), busybox: this.opts.busybox ?? '/bin/busybox', ...(this.opts.initrdCache ? { cache: this.opts.initrdCache } : {}) };
  }

  /**
   * Prunes the initramfs cache now (for an image GC: entries of removed
   * images go, then old and least recently used ones past the bounds).
   */
  pruneInitrdCache(): PruneDecision[] {
    return pruneInitramfsCache(join(this.opts.root, 'initrd'), this.opts.initrdCache);
  }

  /** What a VM does not honour, said in inspect rather than silently dropped. */
  private ignoredParts(spec: InstanceSpec): string[] {
    const out: string[] = [];
    if (spec.network.attach.length && !this.networked(spec)) out.push('networks (no networker: user-mode networking with published ports)');
    if (spec.disk && this.networked(spec) && !spec.vm?.cloudInit) {
      out.push('network addresses (vm.cloud_init is off: the guest must configure its NICs itself, matched by MAC; berth serves no DHCP)');
    }
    if (spec.resources.pids) out.push('resources.pids');
    if (spec.capAdd?.length || spec.capDrop?.length) out.push('capabilities (the guest runs its own kernel)');
    if (spec.readonlyRootfs) out.push('read-only root (the initramfs is a private copy)');
    if (spec.init) out.push("init (berth's /init is PID 1 and forwards signals)");
    if (spec.vm?.cloudInit && !spec.disk) out.push('vm.cloud_init (only for vm.disk guests; a micro-VM gets its templates over 9p)');
    return out;
  }

  /**
   * A start the agent died in the middle of: only the id is known. Its
   * shim and QEMU name the instance folder on their command lines.
   */
  private async destroyById(id: string): Promise<void> {
    const dir = join(this.opts.root, 'instances', id);
    for (let i = 0; i < 50; i++) {
      const pids = pidsMentioning(`${dir}/`);
      if (!pids.length) break;
      for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await sleep(20);
    }
    await this.removeInstanceDir(id, dir);
    this.children.delete(id);
    this.waits.delete(id);
  }

  private async waitShimGone(d: VmHandleData): Promise<void> {
    for (let i = 0; i < 250 && isAlive(d.shimPid, d.dir); i++) await sleep(20);
    if (isAlive(d.shimPid, d.dir)) try { process.kill(d.shimPid, 'SIGKILL'); } catch { /* gone */ }
  }

  private async qmpOrFail(handle: Handle, command: string): Promise<void> {
    try { await qmp(vmData(handle).qmpSocket, command); } catch (err) {
      throw new DriverError('E_VM_QMP', `${handle.unit}: QMP ${command} failed: ${(err as Error).message}`, { unit: handle.unit, recoverable: true }, { hint: 'is the VM still running? see `berth status`' });
    }
  }

  private live(handle: Handle): void {
    const d = vmData(handle);
    if (exitOf(d.dir) || !isAlive(handle.pid, d.qmpSocket)) throw new DriverError('E_NOT_RUNNING', `${handle.unit} (${handle.id}) is not running`, { unit: handle.unit });
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1 << 20))} MiB`;
}

/** The last `n` log texts, for error messages. */
function logTail(logPath: string, n: number): string {
  try {
    return readFileSync(logPath, 'utf8').trim().split('\n').slice(-n).map((l) => l.split(' ').slice(3).join(' ')).join('\n');
  } catch { return ''; }
}

/** Writes one line into the guest's serial console input (the control FIFO); false when QEMU is gone. */
function sendLine(dir: string, line: string): boolean {
  try {
    const fd = openSync(join(dir, 'control'), fsc.O_WRONLY | fsc.O_NONBLOCK);
    try { writeSync(fd, `${line}\n`); } finally { closeSync(fd); }
    return true;
  } catch { return false; }
}
