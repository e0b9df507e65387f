/**
 * Process rlimits for containers, derived from the host's hard limits: an
 * OCI config asking for more than the caller's hard limit fails with
 * `setrlimit … Operation not permitted` when root lacks CAP_SYS_RESOURCE.
 */

/** One OCI rlimit entry. */
export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

/** A host limit; `null` means unlimited. */
export interface HostLimit {
  soft: number | null;
  hard: number | null;
}

const PROC_NAMES: Record<string, string> = {
  'Max open files': 'RLIMIT_NOFILE',
  'Max processes': 'RLIMIT_NPROC',
};

/** Parses `/proc/self/limits` into `{RLIMIT_NOFILE: {soft, hard}, …}` (only the limits berth sets). */
export function parseProcLimits(text: string): Record<string, HostLimit> {
  const out: Record<string, HostLimit> = {};
  for (const line of text.split('\n')) {
    for (const [label, type] of Object.entries(PROC_NAMES)) {
      if (!line.startsWith(label)) continue;
      const [soft, hard] = line.slice(label.length).trim().split(/\s+/);
      const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? null : Number(s));
      out[type] = { soft: num(soft), hard: num(hard) };
    }
  }
  return out;
}

/** What a container gets when the host allows it (podman's defaults). */
export const WANTED_RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_NOFILE: 1_048_576,
  RLIMIT_NPROC: 4_194_304,
};

/** Each wanted limit capped at the host's hard limit (soft = hard, as podman does). */
export function deriveRlimits(host: Record<string, HostLimit>): OciRlimit[] {
  return Object.entries(WANTED_RLIMITS).map(([type, wanted]) => {
    const hard = host[type]?.hard;
    const value = hard === null || hard === undefined ? wanted : Math.min(wanted, hard);
    return { type, hard: value, soft: value };
  });
}
