/**
 * The plan's data: what is wanted (specs + rendered files), what was applied
 * last (as the agent stored it), and the actions between them. `berth plan
 * --json` prints a `Plan` as is; `berth apply` will carry it out.
 */
import type { RenderedFile } from './render-unit.js';
import type { UnitSpec } from './unit-spec.js';

/** A unit as the folder declares it, its templates rendered. */
export interface DesiredUnit {
  spec: UnitSpec;
  files: RenderedFile[];
}

/** A rendered file as stored at the last apply. `content`, when stored, is already redacted. */
export interface ObservedFile {
  dest: string;
  sha256: string;
  content?: string;
  mode?: number;
}

/** A unit as applied last (what the agent stored); `state` is informative only. */
export interface ObservedUnit {
  spec: UnitSpec;
  files: ObservedFile[];
  state?: string;
}

/** What applying does to one unit, strongest first: restart > reload > update > none. */
export type ActionKind = 'create' | 'remove' | 'restart' | 'reload' | 'update' | 'none';

/** A unified diff of one rendered file. */
export interface FileDiff {
  dest: string;
  unified: string;
}

/** One unit's action and why. */
export interface Action {
  unit: string;
  kind: ActionKind;
  /** one sentence: "run.command changed", "template /etc/httpd.conf changed → reload (SIGHUP)" */
  reason: string;
  /** changed key paths of the unit spec, e.g. ['resources.memory'] */
  fields: string[];
  diffs: FileDiff[];
}

/** Every unit's action (creates in start order, removes in reverse) and the counts. */
export interface Plan {
  actions: Action[];
  summary: { create: number; remove: number; restart: number; reload: number; update: number; unchanged: number };
}
