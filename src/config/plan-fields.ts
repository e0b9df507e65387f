/**
 * Which spec fields changed between two versions of a unit, and what each
 * change needs: a restart (the process must be recreated), an update (the
 * agent picks it up without touching the process), or nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { UnitSpec } from './unit-spec.js';

/** What a changed field needs. */
export type FieldEffect = 'restart' | 'update';

/** Top-level fields whose change recreates the unit's process (or object, for networks and volumes). */
export const RESTART_FIELDS = ['kind', 'isolation', 'image', 'run', 'resources', 'network', 'volumes', 'vm', 'subnet'] as const;
/** Top-level fields the agent applies in place. */
export const UPDATE_FIELDS = ['description', 'restart', 'health', 'labels', 'schedule', 'after', 'stop', 'reload', 'secrets', 'vars', 'templates'] as const;
/** Not compared: where the file lives says nothing about what runs. */
const IGNORED = new Set(['name', 'file', 'dir']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Key paths that differ (`run.command`, `run.env.MODE`, `resources.memoryBytes`); arrays compare whole. */
export function changedFields(before: UnitSpec, after: UnitSpec): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (isDeepStrictEqual(a, b)) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) if (a[k] !== undefined || b[k] !== undefined) walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    out.push(fileKeyPath(path));
  };
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!IGNORED.has(k)) walk(a[k], b[k], k);
  }
  return out;
}

/** Maps whose keys are the user's own names, never renamed. */
const USER_MAPS = new Set(['env', 'labels', 'vars', 'secrets', 'args']);
const RENAMED: Record<string, string> = { envFiles: 'env_file', disksBytes: 'disks' };

/** A spec key path in the unit file's words: `resources.memoryBytes` → `resources.memory`, `restart.maxDelayMs` → `restart.max_delay`. */
export function fileKeyPath(specPath: string): string {
  const segs = specPath.split('.');
  return segs
    .map((seg, i) => {
      if (i > 0 && USER_MAPS.has(segs[i - 1]!)) return seg;
      if (RENAMED[seg]) return RENAMED[seg];
      return seg.replace(/(Ms|Bytes)$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    })
    .join('.');
}

/** What a change of `path` needs. Unknown top-level fields restart, to be safe. */
export function fieldEffect(path: string): FieldEffect {
  const top = path.split('.')[0]!;
  return (UPDATE_FIELDS as readonly string[]).includes(top) ? 'update' : 'restart';
}
