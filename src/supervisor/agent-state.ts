/**
 * The agent's persisted state: one JSON file, `<root>/agent/state.json`,
 * written atomically (temp file, fsync, rename, fsync of the folder) so a
 * kill -9 or power loss leaves either the old or the new file, never half.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BerthError } from '../errors.js';
import type { UnitRecord } from './unit-supervisor.js';
import type { UnitSpec } from '../config/unit-spec.js';

/** What is on disk. */
export interface AgentStateFile {
  version: 1;
  /** the unit folder last applied, and when */
  applied?: { dir: string; at: number };
  units: Record<string, UnitRecord>;
  /** network and volume units: declared objects, not supervised processes */
  objects?: Record<string, { spec: UnitSpec }>;
}

/** Path of the state file under a berth root. */
export function agentStatePath(root: string): string {
  return join(root, 'agent', 'state.json');
}

/** Writes `data` to `path` so that readers see the old or the new content, never a mix. */
export function writeFileAtomicSync(path: string, data: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Reads the state file; a missing file is an empty state, a corrupt one an error with a hint. */
export function readAgentState(root: string): AgentStateFile {
  const path = agentStatePath(root);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { version: 1, units: {} };
  }
  try {
    const data = JSON.parse(text) as AgentStateFile;
    if (data.version !== 1 || typeof data.units !== 'object') throw new Error('unknown format');
    return data;
  } catch (err) {
    throw new BerthError('E_STATE_CORRUPT', `the agent state ${path} cannot be read: ${(err as Error).message}`, {
      hint: `move it away (running instances are then not re-attached and must be removed with \`berth down\`), or restore it from a backup`,
    });
  }
}

/** Writes the state file atomically. */
export function writeAgentState(root: string, state: AgentStateFile): void {
  writeFileAtomicSync(agentStatePath(root), JSON.stringify(state));
}
