/**
 * Pure: what to boot → the qemu-system-x86_64 argv. Two shapes:
 * - micro-VM (`-M microvm`, PVH `-kernel vmlinux`, an initramfs, virtio-mmio
 *   devices): the unit's image booted by berth's /init;
 * - disk (`-M q35`, firmware boot of a copy-on-write overlay, virtio-pci,
 *   ACPI so `system_powerdown` reaches the guest's own init).
 * Serial console on stdio (the shim timestamps it into the log; its stdin
 * is the control FIFO), QMP on a unix socket, and either user-mode
 * networking with published ports as `hostfwd`, or (a guest on berth
 * networks, vm-network.ts) one tap NIC per network, QEMU run inside the
 * guest's network namespace through `nsenter`.
 */
import type { PortSpec } from '../../config/unit-spec.js';

/** Everything the command line depends on. */
export interface QemuLaunch {
  qemu: string;
  accel: 'kvm' | 'tcg';
  cpus: number;
  memoryBytes: number;
  qmpSocket: string;
  ports: PortSpec[];
  /** host MHz × 1000, for tsc_early_khz (TCG microvm hangs in TSC calibration without it) */
  tscKhz?: number;
  microvm?: { kernel: string; initrd: string };
  disk?: { path: string; format: string };
  /** a cloud-init NoCloud seed folder, shown as a read-only FAT disk labelled cidata */
  seed?: string;
  /** extra blank volumes (qcow2 files) */
  volumes: string[];
  /** 9p shares */
  shares: { tag: string; source: string; readonly: boolean; /** mapped-file: what the guest makes (symlinks, devices, owners) is stored as plain files plus metadata, so the host never follows a guest's symlink */ mapped?: boolean }[];
  /** tap NICs (in `netnsPath`) instead of user-mode networking; ports then go through CNI portmap */
  nics?: { tap: string; mac: string }[];
  /** run QEMU in this network namespace (`nsenter --net=…`; not `ip netns exec`, which remounts /sys) */
  netnsPath?: string;
  /** extra kernel command line words (micro-VM), e.g. `berth.nic=…` */
  cmdline?: string[];
}

/** `hostfwd=…` options for published ports (0.0.0.0 → all addresses). */
export function hostfwds(ports: PortSpec[]): string[] {
  return ports.map((p) => `hostfwd=${p.protocol}:${p.hostIp === '0.0.0.0' ? '' : p.hostIp}:${p.hostPort}-:${p.containerPort}`);
}

/** The full argv, the QEMU binary first. */
export function qemuArgs(l: QemuLaunch): string[] {
  const micro = !!l.microvm;
  const dev = (name: string) => (micro ? `${name}-device` : `${name}-pci`);
  const args = [...(l.netnsPath ? ['nsenter', `--net=${l.netnsPath}`, '--'] : []), l.qemu, '-name', 'berth', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'];
  args.push('-M', micro ? 'microvm' : 'q35', '-accel', l.accel);
  if (l.accel === 'kvm') args.push('-cpu', 'host');
  args.push('-smp', String(Math.max(1, Math.floor(l.cpus))), '-m', `${Math.max(32, Math.ceil(l.memoryBytes / (1 << 20)))}M`);
  args.push('-serial', 'stdio', '-qmp', `unix:${l.qmpSocket},server=on,wait=off`);
  if (l.nics?.length) {
    l.nics.forEach((n, i) => args.push('-netdev', `tap,id=n${i},ifname=${n.tap},script=no,downscript=no`, '-device', `${dev('virtio-net')},netdev=n${i},mac=${n.mac}`));
  } else {
    args.push('-netdev', ['user', 'id=n0', ...hostfwds(l.ports)].join(','), '-device', `${dev('virtio-net')},netdev=n0`);
  }
  if (l.microvm) {
    const append = ['console=ttyS0', 'quiet', 'loglevel=1', 'panic=-1', 'reboot=t', ...(l.tscKhz ? [`tsc_early_khz=${l.tscKhz}`] : []), ...(l.cmdline ?? [])];
    args.push('-kernel', l.microvm.kernel, '-initrd', l.microvm.initrd, '-append', append.join(' '));
  }
  if (l.disk) args.push('-drive', `file=${l.disk.path},format=${l.disk.format},if=virtio`);
  if (l.seed) args.push('-drive', `file.driver=vvfat,file.dir=${l.seed},file.label=cidata,format=raw,if=virtio,readonly=on`);
  l.volumes.forEach((v, i) => args.push('-drive', `id=v${i},file=${v},format=qcow2,if=none`, '-device', `${dev('virtio-blk')},drive=v${i}`));
  l.shares.forEach((s, i) => {
    args.push('-fsdev', `local,id=fs${i},path=${s.source},security_model=${s.mapped ? 'mapped-file' : 'passthrough'}${s.readonly ? ',readonly=on' : ''}`);
    args.push('-device', `${dev('virtio-9p')},fsdev=fs${i},mount_tag=${s.tag}`);
  });
  return args;
}

/** Host CPU MHz × 1000 from /proc/cpuinfo text (undefined when absent). */
export function tscKhzFromCpuinfo(cpuinfo: string): number | undefined {
  const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}
