/**
 * Sizes as unit files write them (`64Mi`, `1G`, `512K`, `1048576`), turned
 * into bytes.
 *
 * Choice: `Ki/Mi/Gi/Ti` are binary (1024^n) and `K/k/KB`, `M/MB`, `G/GB`,
 * `T/TB` are decimal (1000^n), as Kubernetes reads them — not as `docker run
 * --memory`, which reads `1g` as 1 GiB. One meaning per suffix, written the
 * way the SI/IEC standards define it, so `64Mi` and `64M` never surprise
 * anyone who knows either. A bare number (or `B`) is bytes.
 */
import { BerthError } from '../errors.js';

const FACTOR: Record<string, number> = {
  '': 1,
  B: 1,
  k: 1e3,
  K: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  T: 1e12,
  TB: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};
const SIZE = /^([0-9]+(?:\.[0-9]+)?)(B|k|K|Ki|M|Mi|G|Gi|T|Ti|KB|MB|GB|TB)?$/;

/**
 * Parses a size into whole bytes (rounded). A number is taken as bytes.
 * Throws a BerthError `E_SIZE` for anything else; unit files are checked
 * against SIZE_PATTERN first, so there it never throws.
 */
export function parseSize(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isFinite(s) && s >= 0) return Math.round(s);
  } else {
    const m = SIZE.exec(s.trim());
    if (m) return Math.round(Number(m[1]) * FACTOR[m[2] ?? '']!);
  }
  throw new BerthError('E_SIZE', `\`${String(s)}\` is not a size`, { hint: 'use e.g. 64Mi, 1G, 512K, or a number of bytes' });
}
