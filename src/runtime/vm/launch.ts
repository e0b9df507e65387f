/**
 * What QEMU boots for one instance, prepared on disk: a micro-VM's
 * initramfs (the image's layers + berth's /init), or a disk image's
 * copy-on-write overlay and cloud-init seed; extra volumes; 9p shares; and,
 * for a guest on berth networks, the guest NICs (vm-network.ts: addresses
 * on the kernel command line of a micro-VM, in the seed's network-config
 * of a disk image); the
 * read-write exec share of a micro-VM (vm-exec.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DriverError } from '../../errors.js';
import type { InstanceSpec } from '../driver.js';
import { resolvConf, writeSeed, type SeedNetwork } from './cloud-init.js';
import { checkImage, createOverlay, createVolume, imageInfo } from './disk.js';
import { EXEC_SHARE_TAG, initScript, NET_SHARE_TAG } from './init-script.js';
import { buildInitramfs, findModules } from './initramfs.js';
import type { CachePolicy } from './initramfs-cache.js';
import { tscKhzFromCpuinfo, type QemuLaunch } from './qemu-args.js';
import { nicCmdline, type VmNetwork } from './vm-network.js';

/** Host-side settings the launch depends on. */
export interface LaunchContext {
  qemu: string;
  qemuImg: string;
  kernelDir: string;
  /** the initramfs cache folder */
  initrdDir: string;
  busybox: string;
  /** bounds of the initramfs cache */
  cache?: Partial<CachePolicy>;
}

/** Per-start choices already made by the driver. */
export interface LaunchChoice {
  accel: 'kvm' | 'tcg';
  cpus: number;
  memoryBytes: number;
  qmpSocket: string;
  kernel: string;
  /** the guest's berth networks, when attached */
  net?: VmNetwork;
}

/** Prepares the files and returns the QEMU launch for `spec` in instance folder `dir`. */
export async function prepareLaunch(ctx: LaunchContext, spec: InstanceSpec, dir: string, o: LaunchChoice): Promise<QemuLaunch> {
  const shares = spec.mounts.flatMap((m, i) => (m.type === 'bind' ? [{ tag: `m${i}`, source: m.source, target: m.target, readonly: m.readonly }] : []));
  const volumes: string[] = [];
  for (const [i, bytes] of (spec.vm?.disksBytes ?? []).entries()) {
    const path = join(dir, `volume-${i}.qcow2`);
    await createVolume(ctx.qemuImg, path, bytes);
    volumes.push(path);
  }
  const qemuShares = shares.map(({ tag, source, readonly }) => ({ tag, source, readonly }));
  const base = { qemu: ctx.qemu, accel: o.accel, cpus: o.cpus, memoryBytes: o.memoryBytes, qmpSocket: o.qmpSocket, ports: spec.network.ports, volumes };
  if (spec.disk) {
    let format: string;
    try { format = (await imageInfo(ctx.qemuImg, spec.disk)).format; } catch (err) {
      throw new DriverError('E_VM_DISK', `${spec.unit}: cannot read disk image ${spec.disk}: ${(err as Error).message}`, { unit: spec.unit }, { hint: 'vm.disk must be an image QEMU reads (qcow2, raw, vmdk…); check it with `qemu-img info`' });
    }
    const problem = await checkImage(ctx.qemuImg, spec.disk, format);
    if (problem) {
      throw new DriverError('E_VM_DISK', `${spec.unit}: disk image ${spec.disk} is damaged: ${problem}`, { unit: spec.unit }, { hint: `restore the image, or try \`qemu-img check -r all ${spec.disk}\` on a copy` });
    }
    const overlay = join(dir, 'overlay.qcow2');
    await createOverlay(ctx.qemuImg, spec.disk, format, overlay);
    const seed = spec.vm?.cloudInit ? join(dir, 'seed') : undefined;
    if (seed) writeSeed(seed, spec, o.net ? seedNetwork(o.net) : undefined);
    // same NICs as a micro-VM; the address goes through network-config (cloud-init) instead of the kernel command line
    const nics = o.net ? { nics: o.net.nics.map((n) => ({ tap: n.tap, mac: n.mac })), netnsPath: o.net.netnsPath } : {};
    return { ...base, ...nics, disk: { path: overlay, format: 'qcow2' }, ...(seed ? { seed } : {}), shares: qemuShares };
  }
  const modulesDir = spec.vm?.kernel ? join(dirname(spec.vm.kernel), 'modules') : join(ctx.kernelDir, 'modules');
  const modules = findModules(modulesDir);
  const init = initScript({
    argv: spec.argv, env: spec.env, hostname: spec.hostname, modules: Object.keys(modules), volumes: volumes.length,
    ...(spec.user ? { user: spec.user } : {}), ...(spec.workdir ? { workdir: spec.workdir } : {}),
    shares: shares.map(({ tag, target, readonly }) => ({ tag, target, readonly })),
    tmpfs: spec.mounts.flatMap((m) => (m.type === 'tmpfs' ? [{ target: m.target, readonly: m.readonly, ...(m.sizeBytes ? { sizeBytes: m.sizeBytes } : {}) }] : [])),
    ...(o.net ? { berthNet: true } : {}),
    exec: true,
  });
  const initrd = await buildInitramfs(ctx.initrdDir, { layers: spec.layers ?? [], init, busybox: ctx.busybox, modules, ...(ctx.cache ? { cache: ctx.cache } : {}) });
  const tscKhz = o.accel === 'tcg' ? tscKhzFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')) : undefined;
  const net = o.net ? {
    nics: o.net.nics.map((n) => ({ tap: n.tap, mac: n.mac })), netnsPath: o.net.netnsPath, cmdline: nicCmdline(o.net.nics),
  } : {};
  const netShare = o.net ? [{ tag: NET_SHARE_TAG, source: o.net.shareDir, readonly: true }] : [];
  mkdirSync(join(dir, 'exec'), { recursive: true });
  // the host reads and writes here: nothing the guest creates may be a symlink on the host
  const execShare = { tag: EXEC_SHARE_TAG, source: join(dir, 'exec'), readonly: false, mapped: true };
  return { ...base, ...(tscKhz ? { tscKhz } : {}), ...net, microvm: { kernel: o.kernel, initrd }, shares: [...qemuShares, ...netShare, execShare] };
}

/** A disk guest's network-config input: its NICs, and the nameservers of the resolv.conf the networker gives containers. */
function seedNetwork(net: VmNetwork): SeedNetwork {
  let text = '';
  try { text = readFileSync(join(net.shareDir, 'resolv.conf'), 'utf8'); } catch { /* none: no nameservers */ }
  const { nameservers, search } = resolvConf(text);
  return { nics: net.nics.map((n) => ({ mac: n.mac, cidr: n.cidr, ...(n.gateway ? { gateway: n.gateway } : {}) })), nameservers, ...(search.length ? { search } : {}) };
}
