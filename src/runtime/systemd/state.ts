/**
 * Observation → InstanceStatus for the systemd driver (pure). systemd is
 * the witness: ActiveState/SubState/FreezerState say whether the service
 * runs, ExecMainCode/ExecMainStatus how it ended, MemoryCurrent/TasksCurrent/
 * CPUUsageNSec what it uses. A unit systemd no longer knows (collected) is
 * `exited` when this agent saw it end, else `gone`.
 */
import { exitFromProperties, isEnded, type UnitProperties } from '../../systemd/unit-properties.js';
import type { ExitResult, InstanceStatus } from '../driver.js';

/** Derives the status from the unit's properties (null: not loaded) and the exit this agent saw, if any. */
export function observeUnit(props: UnitProperties | null, seenExit: ExitResult | undefined, now: number): InstanceStatus {
  if (!props || props.loadState === 'not-found') return seenExit ? { state: 'exited', exit: seenExit } : { state: 'gone' };
  const usage = {
    ...(props.memoryBytes !== undefined ? { memoryBytes: props.memoryBytes } : {}),
    ...(props.tasks !== undefined ? { pids: props.tasks } : {}),
    ...(props.cpuNs !== undefined ? { cpuNs: props.cpuNs } : {}),
  };
  const detail = { unit: props.id, activeState: props.activeState, subState: props.subState, ...(props.result ? { result: props.result } : {}) };
  if (isEnded(props)) return { state: 'exited', exit: seenExit ?? exitFromProperties(props, now), detail };
  const state = props.activeState === 'activating' ? 'created' : props.freezerState === 'frozen' || props.freezerState === 'freezing' ? 'paused' : 'running';
  return { state, ...(props.mainPid ? { pid: props.mainPid } : {}), usage, detail };
}
