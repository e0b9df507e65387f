/**
 * A small, real, BIOS-bootable disk image for the `vm.disk` tests, made
 * offline (no image to download here) and cached under the test cache:
 * an MBR (syslinux's mbr.bin) with one active FAT16 partition labelled
 * BTBOOT holding syslinux, berth's guest kernel (the Debian bzImage from
 * scripts/fetch-kernel) and an initramfs (static busybox, a few modules of
 * the same kernel package, and the /init below). Nothing is mounted on the
 * host: mkfs.vfat + mcopy fill the partition, syslinux installs itself
 * through mtools, sfdisk + dd lay out the disk. `disk.raw` is also
 * converted to `disk.qcow2` so both formats are booted.
 *
 * The guest's /init acts as a tiny cloud-init (NoCloud): it finds the disk
 * labelled cidata, prints the hostname from meta-data and every
 * `write_files` entry of user-data (written into the guest and printed line
 * by line), applies a network-config (NICs by MAC: address, default route;
 * then serves a written /www with busybox httpd on port 80), counts its
 * boots in a file on its own disk (so a write to the
 * disk is visible), then either powers off by itself with the code found in
 * a written file named `bt-exit` (announced as `BERTH-EXIT N`, the marker
 * berth's shim records), or waits for the ACPI power button (busybox acpid)
 * and powers off; with /etc/bt-ignore-acpi written it ignores the button
 * (a guest without ACPI handling). Each step prints one `BT-…` line on ttyS0.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_CACHE } from './busybox-layer.js';
import { requireTool } from './require-tool.js';

/** The cached images. */
export interface BootableDisk {
  raw: string;
  qcow2: string;
}

const CACHE = process.env.BERTH_TEST_CACHE ?? TEST_CACHE;
const KERNEL_DIR = '/var/cache/berth/kernel';

/** Modules loaded by the guest's /init, in dependency order (all `=m` in Debian's kernel). */
export const GUEST_MODULES = ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'virtio_blk',
  'fat', 'vfat', 'nls_cp437', 'nls_ascii', 'button', 'evdev', 'failover', 'net_failover', 'virtio_net'];

/** The guest's /init (busybox sh, PID 1). */
export const GUEST_INIT = String.raw`#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
up() { cut -d' ' -f1 /proc/uptime; }
echo "BT-INIT up after $(up) s of guest uptime"
for m in ${GUEST_MODULES.join(' ')}; do insmod /lib/modules/$m.ko || echo "BT-INSMOD-FAILED $m"; done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
sleep 0.2
seed=$(findfs LABEL=cidata 2>/dev/null || findfs LABEL=CIDATA 2>/dev/null)
boot=$(findfs LABEL=BTBOOT 2>/dev/null)
echo "BT-DISKS boot=$boot seed=$seed"
code=
if [ -n "$seed" ] && mount -t vfat -o ro "$seed" /mnt/seed; then
  h=$(sed -n 's/^local-hostname: *//p' /mnt/seed/meta-data | tr -d "\"'")
  hostname "$h"
  echo "BT-HOSTNAME $(hostname)"
  awk '/^ *-? *path: /{p=$NF} /^ *content: /{print p, $NF}' /mnt/seed/user-data | tr -d "\"'" > /tmp/files
  while read p c; do
    mkdir -p "$(dirname "$p")"
    echo "$c" | base64 -d > "$p"
    echo "BT-FILE $p"
    sed 's/^/BT-CONTENT /' "$p"
    case "$p" in */bt-exit) code=$(cat "$p") ;; esac
  done < /tmp/files
  if [ -f /mnt/seed/network-config ]; then
    # a minimal reader of what berth writes (version 2): NICs by MAC, address/prefix, default route
    awk '/macaddress:/{m=$NF} /^ *- [0-9.]+\/[0-9]+ *$/{print "addr", m, $NF} /via:/{print "gw", m, $NF}' /mnt/seed/network-config | tr -d "\"'" > /tmp/net
    ip link set lo up
    while read k m v; do
      dev=; i=0
      while [ -z "$dev" ] && [ $i -lt 100 ]; do
        for d in /sys/class/net/*; do [ "$(cat $d/address)" = "$m" ] && dev=$(basename $d); done
        [ -n "$dev" ] || { sleep 0.05; i=$((i+1)); }
      done
      [ -n "$dev" ] || { echo "BT-NET-NO-NIC $m"; continue; }
      ip link set "$dev" up
      case $k in addr) ip addr add "$v" dev "$dev" ;; gw) ip route add default via "$v" dev "$dev" ;; esac
      echo "BT-NET $dev $k $v"
    done < /tmp/net
  fi
  umount /mnt/seed
else
  echo "BT-NO-SEED"
fi
if [ -n "$boot" ] && mount -t vfat "$boot" /mnt/boot; then
  n=$(cat /mnt/boot/boots 2>/dev/null || echo 0); n=$((n+1))
  echo $n > /mnt/boot/boots; sync; umount /mnt/boot
  echo "BT-BOOTS $n"
fi
if [ -d /www ] && [ -s /tmp/net ]; then httpd -p 80 -h /www && echo "BT-HTTPD serving /www on port 80"; fi
if [ -n "$code" ]; then
  echo "BT-POWEROFF $code"
  echo "BERTH-EXIT $code"
  sync; poweroff -f
fi
if [ -e /etc/bt-ignore-acpi ]; then
  echo "BT-WAITING ignoring the ACPI power button"
  while :; do sleep 3600; done
fi
i=0; while ! ls /dev/input/event* >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
mkdir -p /var/log; acpid -f -c /etc/acpi &
echo "BT-WAITING for the ACPI power button after $(up) s ($(ls /dev/input | tr '\n' ' '))"
while :; do sleep 3600; done
`;

/** What busybox acpid runs on the power button (default action of event PWRF). */
const POWER_BUTTON = '#!/bin/sh\necho "BT-ACPI power button: powering off" > /dev/console\nsync\npoweroff -f\n';

const SYSLINUX_CFG = 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /vmlinuz\n  INITRD /initrd.gz\n  APPEND console=ttyS0 quiet panic=-1\n';

// $1 = output folder, $2 = kernel dir, $3 = busybox, $4 = folder holding init, acpi-pwrf, syslinux.cfg
const BUILD = String.raw`set -euo pipefail
out=$1; kdir=$2; busybox=$3; files=$4
test -e "$out/.done" && exit 0
tmp=$out.tmp; rm -rf "$tmp"; mkdir -p "$tmp/deb" "$tmp/root/bin" "$tmp/root/lib/modules" "$tmp/root/etc/acpi/PWRF"
for d in proc sys dev tmp mnt/seed mnt/boot; do mkdir -p "$tmp/root/$d"; done
chmod 755 "$tmp" "$tmp/deb"
ver=$(cat "$kdir/version")
# the kernel package is kept beside the image (a rebuild of the image does not download it again)
debs=$(dirname "$out")/bootable-disk-kernel-debs; mkdir -p "$debs"; chmod 755 "$debs"
ls "$debs"/linux-image-"$ver"_*.deb >/dev/null 2>&1 || (cd "$debs" && { apt-get download -qq "linux-image-$ver" 2>/dev/null || apt-get download "linux-image-$ver"; })
dpkg-deb -x "$(ls "$debs"/linux-image-"$ver"_*.deb | head -1)" "$tmp/deb/x"
for m in ${GUEST_MODULES.join(' ')}; do
  f=$(find "$tmp/deb/x/lib/modules" -name "$m.ko" | head -1); test -n "$f" || { echo "no module $m.ko in linux-image-$ver" >&2; exit 1; }
  cp "$f" "$tmp/root/lib/modules/"
done
cp "$busybox" "$tmp/root/bin/busybox"
install -m 755 "$files/init" "$tmp/root/init"
install -m 755 "$files/acpi-pwrf" "$tmp/root/etc/acpi/PWRF/00000080"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$tmp/initrd.gz")
mkfs.vfat -n BTBOOT -C "$tmp/part.img" 32768 >/dev/null
mcopy -i "$tmp/part.img" "$kdir/vmlinuz" "$tmp/initrd.gz" "$files/syslinux.cfg" ::/
syslinux --install "$tmp/part.img"
truncate -s 34M "$tmp/disk.raw"
echo 'start=2048, size=65536, type=e, bootable' | sfdisk -q "$tmp/disk.raw"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$tmp/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$tmp/part.img" of="$tmp/disk.raw" bs=512 seek=2048 conv=notrunc status=none
qemu-img convert -f raw -O qcow2 "$tmp/disk.raw" "$tmp/disk.qcow2"
rm -rf "$tmp/deb" "$tmp/root" "$tmp/part.img" "$tmp/initrd.gz"
touch "$tmp/.done"
rm -rf "$out"; mv "$tmp" "$out"
`;

/**
 * Returns the cached images, building them first when missing (under a
 * lock: test files running side by side build once). The first build
 * downloads the guest kernel's Debian package once for its modules.
 */
export function bootableDisk(): BootableDisk {
  // named by what goes into it: a changed init or build gets a new image
  const DIR = join(CACHE, `bootable-disk-${createHash('sha256').update([GUEST_INIT, POWER_BUTTON, SYSLINUX_CFG, BUILD].join('\0')).digest('hex').slice(0, 12)}`);
  const out: BootableDisk = { raw: join(DIR, 'disk.raw'), qcow2: join(DIR, 'disk.qcow2') };
  if (existsSync(join(DIR, '.done'))) return out;
  const hint = 'apt-get install syslinux syslinux-common mtools dosfstools fdisk (scripts/setup does)';
  for (const tool of ['syslinux', 'mkfs.vfat', 'mcopy', 'sfdisk', 'cpio', 'qemu-img', 'flock', 'apt-get', 'dpkg-deb']) requireTool(tool, hint);
  const busybox = requireTool('busybox', 'apt-get install busybox-static (scripts/setup does)');
  if (!existsSync('/usr/lib/syslinux/mbr/mbr.bin')) throw new Error(`this test needs /usr/lib/syslinux/mbr/mbr.bin\nhint: ${hint}`);
  if (!existsSync(join(KERNEL_DIR, 'vmlinuz'))) throw new Error(`this test needs the guest kernel at ${KERNEL_DIR}/vmlinuz\nhint: run scripts/fetch-kernel (scripts/setup does)`);
  const files = `${DIR}.files`;
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'init'), GUEST_INIT);
  writeFileSync(join(files, 'acpi-pwrf'), POWER_BUTTON);
  writeFileSync(join(files, 'syslinux.cfg'), SYSLINUX_CFG);
  const log = `${DIR}.log`;
  try {
    execFileSync('sh', ['-c', `flock "$0" bash -c "$1" build "$2" "$3" "$4" "$5" >"$6" 2>&1`, `${DIR}.lock`, BUILD, DIR, KERNEL_DIR, busybox, files, log],
      { stdio: 'ignore', timeout: 600_000 });
  } catch {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
    throw new Error(`cannot build the bootable test disk image (${DIR})\n${tail}\nhint: the first build downloads linux-image-$(cat ${KERNEL_DIR}/version) with apt-get; see ${log}`);
  }
  return out;
}
