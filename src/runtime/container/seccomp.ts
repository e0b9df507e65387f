/**
 * berth's default seccomp profile. It is a deny-list: every syscall is
 * allowed except the ones Docker's default profile blocks for an unprivileged
 * container (module loading, kexec, reboot, mount family, namespaces, keyring,
 * clock setting, bpf/perf, ptrace helpers…), which fail with EPERM. Docker
 * uses an allow-list of ~350 names instead; a short deny-list is easier to
 * review, never breaks a new syscall a libc starts using, and the capability
 * set already gates most of what an allow-list adds. As Docker does, a
 * syscall family is allowed again when the capability it needs is granted.
 */

/** Syscalls denied unless the named capability is granted ('' = always denied). */
export const DENIED_SYSCALLS: Readonly<Record<string, string>> = {
  acct: 'CAP_SYS_PACCT', add_key: '', bpf: 'CAP_SYS_ADMIN', clock_adjtime: 'CAP_SYS_TIME',
  clock_settime: 'CAP_SYS_TIME', create_module: 'CAP_SYS_MODULE', delete_module: 'CAP_SYS_MODULE',
  finit_module: 'CAP_SYS_MODULE', fsconfig: 'CAP_SYS_ADMIN', fsmount: 'CAP_SYS_ADMIN', fsopen: 'CAP_SYS_ADMIN',
  fspick: 'CAP_SYS_ADMIN', get_kernel_syms: '', get_mempolicy: 'CAP_SYS_NICE', init_module: 'CAP_SYS_MODULE',
  ioperm: 'CAP_SYS_RAWIO', iopl: 'CAP_SYS_RAWIO', kcmp: 'CAP_SYS_PTRACE', kexec_file_load: 'CAP_SYS_BOOT',
  kexec_load: 'CAP_SYS_BOOT', keyctl: '', lookup_dcookie: 'CAP_SYS_ADMIN', mbind: 'CAP_SYS_NICE',
  mount: 'CAP_SYS_ADMIN', mount_setattr: 'CAP_SYS_ADMIN', move_mount: 'CAP_SYS_ADMIN', move_pages: 'CAP_SYS_NICE',
  name_to_handle_at: 'CAP_SYS_ADMIN', nfsservctl: '', open_by_handle_at: 'CAP_DAC_READ_SEARCH',
  open_tree: 'CAP_SYS_ADMIN', perf_event_open: 'CAP_PERFMON', pivot_root: 'CAP_SYS_ADMIN',
  process_vm_readv: 'CAP_SYS_PTRACE', process_vm_writev: 'CAP_SYS_PTRACE', ptrace: 'CAP_SYS_PTRACE',
  query_module: '', quotactl: 'CAP_SYS_ADMIN', reboot: 'CAP_SYS_BOOT', request_key: '',
  set_mempolicy: 'CAP_SYS_NICE', setns: 'CAP_SYS_ADMIN', settimeofday: 'CAP_SYS_TIME', stime: 'CAP_SYS_TIME',
  swapoff: 'CAP_SYS_ADMIN', swapon: 'CAP_SYS_ADMIN', syslog: 'CAP_SYSLOG', umount: 'CAP_SYS_ADMIN',
  umount2: 'CAP_SYS_ADMIN', unshare: 'CAP_SYS_ADMIN', uselib: '', userfaultfd: '', ustat: '',
  vm86: '', vm86old: '', _sysctl: '',
};

const ARCHES: Record<string, string[]> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

/** The OCI `linux.seccomp` object for a container holding `caps` on a host of Node's `arch`. */
export function buildSeccompProfile(caps: readonly string[], arch: string): Record<string, unknown> {
  const granted = new Set(caps);
  const names = Object.entries(DENIED_SYSCALLS)
    .filter(([, cap]) => cap === '' || !granted.has(cap))
    .map(([name]) => name)
    .sort();
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ARCHES[arch] ?? [],
    syscalls: [{ names, action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  };
}
