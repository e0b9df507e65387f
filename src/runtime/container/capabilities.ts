/**
 * Container capabilities: Docker's default set, adjusted by a unit's
 * `cap_add` / `cap_drop`. CAP_SYS_RESOURCE is never granted: root on these
 * hosts lacks it in its bounding set, and asking for it makes capset fail.
 */

/** Docker's default capability set (moby `oci/caps/defaults.go`). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability name the kernel knows (up to CAP_CHECKPOINT_RESTORE, 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Capabilities berth refuses to grant, with the reason shown to the user. */
export const NEVER_GRANTED: Readonly<Record<string, string>> = {
  CAP_SYS_RESOURCE: 'the host bounding set lacks it (capset would fail)',
};

/** `net_admin`, `NET_ADMIN`, `cap_net_admin` → `CAP_NET_ADMIN`; 'ALL' stays 'ALL'. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Result of resolving capabilities: the set, or the names that are wrong. */
export type CapabilityResult = { ok: true; caps: string[] } | { ok: false; unknown: string[]; refused: string[] };

/**
 * Docker's rules: start from the default set; `drop: [ALL]` empties it, other
 * drops remove; then `add` adds (`add: [ALL]` means every capability berth
 * may grant). A capability both added and dropped by name is dropped.
 */
export function resolveCapabilities(add: readonly string[] = [], drop: readonly string[] = []): CapabilityResult {
  const adds = add.map(normalizeCapability);
  const drops = drop.map(normalizeCapability);
  const known = new Set(ALL_CAPABILITIES);
  const unknown = [...adds, ...drops].filter((c) => c !== 'ALL' && !known.has(c));
  const refused = adds.filter((c) => c in NEVER_GRANTED);
  if (unknown.length > 0 || refused.length > 0) return { ok: false, unknown, refused };
  const grantable = ALL_CAPABILITIES.filter((c) => !(c in NEVER_GRANTED));
  const set = new Set(drops.includes('ALL') ? [] : DEFAULT_CAPABILITIES);
  for (const c of adds.includes('ALL') ? grantable : adds) set.add(c);
  for (const c of drops) set.delete(c);
  return { ok: true, caps: ALL_CAPABILITIES.filter((c) => set.has(c)) };
}
