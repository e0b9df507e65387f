/**
 * `berth commit -c CHANGE`: Docker's `--change` instructions applied to an
 * image config (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, WORKDIR, USER,
 * STOPSIGNAL, VOLUME). JSON-array or shell form, like a Dockerfile. Pure.
 */
import { BerthError } from '../errors.js';
import type { ContainerConfig } from './oci-types.js';

const SUPPORTED = ['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'WORKDIR', 'USER', 'STOPSIGNAL', 'VOLUME'];

function argvOf(rest: string, shell: string[] | undefined): string[] {
  if (rest.startsWith('[')) {
    try {
      const v = JSON.parse(rest) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    } catch { /* shell form */ }
  }
  return [...(shell ?? ['/bin/sh', '-c']), rest];
}

/** `K=V K2="v 2"` or the legacy `K V`. */
function pairsOf(rest: string): Array<[string, string]> {
  if (!/^[^\s=]+=/.test(rest)) {
    const m = /^(\S+)\s+(.*)$/.exec(rest);
    return m ? [[m[1]!, m[2]!]] : [];
  }
  const out: Array<[string, string]> = [];
  const re = /([^\s=]+)=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g;
  for (let m; (m = re.exec(rest)); ) out.push([m[1]!, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4] ?? m[5] ?? '']);
  return out;
}

/** Applies each change in order to a copy of `config`. Bad changes throw E_BAD_CHANGE naming the change. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(config);
  for (const change of changes) {
    const m = /^\s*(\w+)\s+(.*?)\s*$/s.exec(change);
    const word = m?.[1]?.toUpperCase();
    const rest = m?.[2] ?? '';
    if (!word || !SUPPORTED.includes(word) || rest === '') {
      throw new BerthError('E_BAD_CHANGE', `cannot apply change "${change}"`, { hint: `use one of ${SUPPORTED.join(', ')} with a value, e.g. -c 'CMD ["sh"]' or -c 'ENV K=V'` });
    }
    switch (word) {
      case 'CMD': c.Cmd = argvOf(rest, c.Shell); break;
      case 'ENTRYPOINT': c.Entrypoint = argvOf(rest, c.Shell); break;
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of pairsOf(rest)) {
          const at = env.findIndex((kv) => kv.startsWith(`${k}=`));
          if (at >= 0) env[at] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(pairsOf(rest)) }; break;
      case 'EXPOSE': c.ExposedPorts = { ...(c.ExposedPorts ?? {}), ...Object.fromEntries(rest.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) }; break;
      case 'VOLUME': c.Volumes = { ...(c.Volumes ?? {}), ...Object.fromEntries(argvOf(rest, []).flatMap((v) => v.split(/\s+/)).filter(Boolean).map((v) => [v, {}])) }; break;
      case 'WORKDIR': c.WorkingDir = rest; break;
      case 'USER': c.User = rest; break;
      case 'STOPSIGNAL': c.StopSignal = rest; break;
    }
  }
  return c;
}
