/**
 * The micro-VM's /init: a busybox sh script (pure text, built here) that
 * plays the part crun plays for a container. It mounts proc/sys/dev,
 * loads the virtio modules in PLATFORM.md's order, brings up the network
 * (berth networks: each `berth.nic=MAC,IP/PREFIX[,GW]` word of the kernel
 * command line configures the NIC with that MAC, and hosts/resolv.conf are
 * bind-mounted from a read-only 9p share kept current by the host; else
 * user-mode networking, 10.0.2.15/24 via 10.0.2.2), mounts the 9p shares and
 * tmpfs mounts, sets hostname and env, and runs the command as the unit's
 * user in the unit's workdir, in its own session.
 *
 * The command runs under busybox `time -o`, whose report tells an exit code
 * from a death by signal (a shell's `wait` gives 128+N for both).
 *
 * Serial protocol with the VM shim (markers on their own line):
 * - `BERTH-READY` once the command is about to run (the driver's boot probe);
 * - `BERTH-EXIT <code>` when it ended, `BERTH-EXIT <128+N> <N>` when signal
 *   N killed it (QEMU itself always exits 0 after `poweroff -f`; the shim
 *   reads the code and signal from here);
 * - the host writes `BERTH-SIGNAL <NAME>` into the serial console's input to
 *   signal the command's process group (a graceful stop: the micro-VM has
 *   no acpid to act on an ACPI power button).
 */

/** Modules loaded from /.berth/modules, in this order (PLATFORM.md). */
export const NET_MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'failover', 'net_failover', 'virtio_net'];
/** Loaded after NET_MODULES when the guest has extra volumes (vm.disks: /dev/vda, /dev/vdb…). */
export const BLK_MODULES = ['virtio_blk'];
/** Loaded after NET_MODULES when a 9p share is mounted. */
export const NINEP_MODULES = ['netfs', 'fscache', '9pnet', '9pnet_virtio', '9p'];

/** Where the init keeps its own tools inside the guest. */
export const BERTH_DIR = '/.berth';

/** The 9p mount tag of the network share (hosts, resolv.conf) of a guest on berth networks. */
export const NET_SHARE_TAG = 'berthnet';

/** The 9p mount tag of the exec share (vm-exec.ts): one folder per exec with run.sh, stdin, stdout, stderr, status, code. */
export const EXEC_SHARE_TAG = 'berthexec';

/** What /init needs to know. */
export interface InitOptions {
  argv: string[];
  env: Record<string, string>;
  user?: string;
  workdir?: string;
  hostname: string;
  /** 9p shares: mount tag → guest path */
  shares: { tag: string; target: string; readonly: boolean }[];
  tmpfs: { target: string; sizeBytes?: number; readonly: boolean }[];
  /** module names present in /.berth/modules (others are assumed built in) */
  modules: string[];
  /** extra volumes attached (load virtio_blk) */
  volumes?: number;
  /** on berth networks: addresses come from the kernel command line, hosts/resolv.conf from the NET_SHARE_TAG share */
  berthNet?: boolean;
  /** answer `BERTH-EXEC <id>` on the console: run `<id>/run.sh` from the EXEC_SHARE_TAG share (mounted on first use) */
  exec?: boolean;
}

/** Quotes one word for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The words that run argv as `user` (busybox has no chpst; its
 * start-stop-daemon in the foreground sets uid, gid and groups from the
 * guest's /etc/passwd, then execs): argv itself for root.
 */
export function runAsWords(busybox: string, user: string | undefined, argv: string[]): string {
  const words = argv.map(shQuote);
  if (!user || user === 'root' || user === '0' || user === '0:0' || argv.length === 0) return words.join(' ');
  return [busybox, 'start-stop-daemon', '-S', '-p', `${BERTH_DIR}/none`, '-c', shQuote(user), '-a', words[0]!, '--', ...words.slice(1)].join(' ');
}

/** The /init script text. */
export function initScript(o: InitOptions): string {
  const B = `${BERTH_DIR}/busybox`;
  const want = [...NET_MODULES, ...(o.volumes ? BLK_MODULES : []), ...(o.shares.length || o.berthNet ? NINEP_MODULES : [])].filter((m) => o.modules.includes(m));
  const lines = [
    `#!${B} sh`,
    '# berth micro-VM init (generated; see src/runtime/vm/init-script.ts)',
    `B=${B}`,
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'die() { echo "berth-init: $2" >/dev/ttyS0; echo "BERTH-EXIT $1" >/dev/ttyS0; $B sync; $B poweroff -f; }',
    '$B mkdir -p /proc /sys /dev /tmp /run /etc',
    '$B mount -t proc proc /proc; $B mount -t sysfs sys /sys; $B mount -t devtmpfs dev /dev',
    '$B mkdir -p /dev/pts /dev/shm; $B mount -t devpts devpts /dev/pts; $B mount -t tmpfs shm /dev/shm',
    `for m in ${want.join(' ')}; do $B insmod ${BERTH_DIR}/modules/$m.ko 2>/dev/null; done`,
    '$B ip link set lo up',
    ...(o.berthNet ? berthNetLines() : userNetLines(o.hostname)),
    `$B hostname ${shQuote(o.hostname)}; echo ${shQuote(o.hostname)} > /etc/hostname`,
  ];
  for (const s of o.shares) {
    lines.push(`$B mkdir -p ${shQuote(s.target)} && $B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144${s.readonly ? ',ro' : ''} ${s.tag} ${shQuote(s.target)} || die 125 ${shQuote(`cannot mount ${s.target}`)}`);
  }
  for (const t of o.tmpfs) {
    const opts = [t.readonly ? 'ro' : 'rw', ...(t.sizeBytes ? [`size=${t.sizeBytes}`] : [])].join(',');
    lines.push(`$B mkdir -p ${shQuote(t.target)} && $B mount -t tmpfs -o ${opts} tmpfs ${shQuote(t.target)}`);
  }
  // the console: no echo of what the host writes, no CR added to output
  lines.push('exec 3<>/dev/ttyS0', '$B stty -echo -onlcr <&3');
  for (const [k, v] of Object.entries(o.env)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) lines.push(`export ${k}=${shQuote(v)}`);
  if (o.workdir) lines.push(`$B mkdir -p ${shQuote(o.workdir)}; cd ${shQuote(o.workdir)} || die 126 ${shQuote(`cannot enter ${o.workdir}`)}`);
  if (o.argv.length === 0) lines.push(`die 127 'no command: the image has no Cmd/Entrypoint and the unit sets no run.command'`);
  // `time` reports how the command ended; the inner sh records the command's pid (its session and group) and execs it
  lines.push(
    `S=${BERTH_DIR}/status P=${BERTH_DIR}/pid`,
    'echo BERTH-READY >/dev/ttyS0',
    `$B time -o $S -f '' $B sh -c 'echo $$ >${BERTH_DIR}/pid; exec "$@"' sh $B setsid ${runAsWords('$B', o.user, o.argv)} </dev/null >/dev/ttyS0 2>&1 3<&- &`,
    'tpid=$!',
    ...(o.exec ? execLines(o.modules) : []),
    '( while read -r w s <&3; do case "$w" in',
    '  BERTH-SIGNAL) while [ ! -s $P ] && $B kill -0 $tpid 2>/dev/null; do $B usleep 5000; done; $B kill -"$s" -"$($B cat $P)" 2>/dev/null;;',
    ...(o.exec ? [
      '  BERTH-EXEC) berth_exec "$s" 3<&- &;;',
      '  BERTH-EXEC-KILL) $B kill -KILL -"$($B cat $X/"$s"/pid)" 2>/dev/null;;',
    ] : []),
    'esac; done ) &',
    'wait $tpid; code=$?',
    `sig=$($B sed -n 's/^Command terminated by signal \\([0-9]*\\).*/\\1/p' $S 2>/dev/null)`,
    '$B sync',
    'if [ -n "$sig" ]; then echo "BERTH-EXIT $((128 + sig)) $sig" >/dev/ttyS0; else echo "BERTH-EXIT $code" >/dev/ttyS0; fi',
    '$B poweroff -f',
    '',
  );
  return lines.join('\n');
}

/**
 * The exec handler: mounts the exec share on first use, then runs
 * `<id>/run.sh` in its own session under `time -o` (exit code vs signal),
 * recording its pid (for BERTH-EXEC-KILL) and, last, its code via a rename.
 */
function execLines(modules: string[]): string[] {
  const load = NINEP_MODULES.filter((m) => modules.includes(m));
  return [
    `X=${BERTH_DIR}/exec`,
    'berth_exec() {',
    `  $B grep -q " $X " /proc/mounts || { for m in ${load.join(' ')}; do $B insmod ${BERTH_DIR}/modules/$m.ko 2>/dev/null; done; $B mkdir -p $X; $B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ${EXEC_SHARE_TAG} $X; } || return`,
    '  case "$1" in *[!0-9a-f]*|"") return;; esac; E=$X/$1; [ -f $E/run.sh ] || return',
    `  $B time -o $E/status -f '' $B sh -c 'echo $$ >"$0/pid"; exec "$@"' $E $B setsid $B sh $E/run.sh <$E/stdin >$E/stdout 2>$E/stderr`,
    '  echo $? >$E/code.tmp; $B mv $E/code.tmp $E/code',
    '}',
  ];
}

/** User-mode networking (QEMU's slirp): fixed addresses, the guest's own hosts file. */
function userNetLines(hostname: string): string[] {
  return [
    'if $B ip link set eth0 up 2>/dev/null; then $B ip addr add 10.0.2.15/24 dev eth0; $B ip route add default via 10.0.2.2; fi',
    '[ -s /etc/resolv.conf ] || echo "nameserver 10.0.2.3" > /etc/resolv.conf',
    `printf '127.0.0.1 localhost\\n10.0.2.15 %s\\n' ${shQuote(hostname)} > /etc/hosts`,
  ];
}

/** berth networks: each NIC found by MAC and given its CNI address; hosts and resolv.conf from the host's share. */
function berthNetLines(): string[] {
  const net = `${BERTH_DIR}/net`;
  return [
    'for w in $($B cat /proc/cmdline); do case "$w" in berth.nic=*)',
    '  IFS=, read -r mac cidr gw <<EOF',
    '${w#berth.nic=}',
    'EOF',
    '  dev=; for d in /sys/class/net/*; do [ "$($B cat $d/address)" = "$mac" ] && dev=${d##*/}; done',
    '  [ -n "$dev" ] || die 125 "no NIC with MAC $mac"',
    '  $B ip link set "$dev" up && $B ip addr add "$cidr" dev "$dev" || die 125 "cannot configure $dev"',
    '  [ -z "$gw" ] || $B ip route add default via "$gw";;',
    'esac; done',
    `$B mkdir -p ${net} && $B mount -t 9p -o trans=virtio,version=9p2000.L,ro ${NET_SHARE_TAG} ${net} || die 125 'cannot mount the network share'`,
    'for f in hosts resolv.conf; do $B rm -f /etc/$f; $B touch /etc/$f; $B mount --bind ' + net + '/$f /etc/$f; done',
  ];
}
