/**
 * Which accelerator QEMU can use here: KVM only when it really boots a stock
 * kernel, else TCG (software emulation), with the reason in one line.
 *
 * `/dev/kvm` opening is not enough: a PVM host (`/sys/module/kvm_pvm`)
 * accepts KVM_CREATE_VM but a stock kernel hangs or dies with `KVM internal
 * error`. So: no /dev/kvm → TCG; PVM → TCG; otherwise a tiny boot probe
 * (the guest kernel with no initramfs panics at once; seeing its banner on
 * the serial console within a timeout means KVM works). The answer is
 * cached in `<dir>/accel.json`, keyed by host kernel and /dev/kvm presence.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';

/** The probe's answer. */
export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  /** e.g. 'tcg: /dev/kvm is PVM here, a stock kernel cannot boot on it' */
  why: string;
}

/** What the probe looks at (injectable for tests). */
export interface AccelProbeOptions {
  /** cache folder */
  dir: string;
  qemu: string;
  kernel: string;
  /** default '/dev/kvm' */
  kvmDevice?: string;
  /** default '/sys/module/kvm_pvm' */
  pvmModule?: string;
  timeoutMs?: number;
}

/** Pure part: the decision when no boot probe is needed (else null). */
export function accelWithoutProbe(hasKvm: boolean, isPvm: boolean): AccelChoice | null {
  if (isPvm) return { accel: 'tcg', why: 'tcg: /dev/kvm is PVM here, a stock kernel cannot boot on it' };
  if (!hasKvm) return { accel: 'tcg', why: 'tcg: no /dev/kvm on this host (software emulation, slower)' };
  return null;
}

/** Pure part: reads the boot probe's serial output. */
export function judgeKvmProbe(output: string): AccelChoice {
  if (/KVM internal error|emulation failure/i.test(output)) return { accel: 'tcg', why: 'tcg: /dev/kvm is present but a test boot failed (KVM internal error)' };
  if (/Linux version|Kernel panic/.test(output)) return { accel: 'kvm', why: 'kvm: /dev/kvm boots a stock kernel' };
  return { accel: 'tcg', why: 'tcg: /dev/kvm is present but a test boot showed nothing in time (broken KVM?)' };
}

/** Decides (cached) which accelerator to use. */
export async function probeAccel(o: AccelProbeOptions): Promise<AccelChoice> {
  const kvm = o.kvmDevice ?? '/dev/kvm';
  const hasKvm = existsSync(kvm);
  const isPvm = existsSync(o.pvmModule ?? '/sys/module/kvm_pvm');
  const key = `${release()}|${hasKvm}|${isPvm}`;
  const cacheFile = join(o.dir, 'accel.json');
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as AccelChoice & { key: string };
    if (cached.key === key) return { accel: cached.accel, why: cached.why };
  } catch { /* no cache yet */ }
  const choice = accelWithoutProbe(hasKvm, isPvm) ?? judgeKvmProbe(await bootProbe(o));
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(cacheFile, `${JSON.stringify({ ...choice, key })}\n`);
  return choice;
}

/** Boots the kernel under KVM with no initramfs; returns what the console printed. */
function bootProbe(o: AccelProbeOptions): Promise<string> {
  const args = ['-M', 'microvm', '-accel', 'kvm', '-cpu', 'host', '-m', '128M', '-nodefaults', '-no-user-config', '-display', 'none',
    '-no-reboot', '-serial', 'stdio', '-kernel', o.kernel, '-append', 'console=ttyS0 panic=-1 reboot=t'];
  return new Promise((resolve) => {
    // execFile's timeout SIGKILLs QEMU: a hung probe leaves nothing behind
    execFile(o.qemu, args, { timeout: o.timeoutMs ?? 15_000, killSignal: 'SIGKILL', maxBuffer: 4 << 20 }, (_err, stdout, stderr) => {
      resolve(`${stdout}\n${stderr}`);
    });
  });
}
