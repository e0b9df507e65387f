/**
 * The fake host's world: instances and what they are doing, shared by every
 * FakeDriver made on it (so a new driver can recover instances, as a
 * restarted agent would). `statusOf` derives an InstanceStatus from it.
 */
import type { ExitResult, InstanceSpec, InstanceState, InstanceStatus } from '../driver.js';
import type { FakeBehaviour } from './driver.js';

/** One fake instance. */
export interface FakeInstance {
  spec: InstanceSpec;
  behaviour: FakeBehaviour;
  state: InstanceState;
  pid: number;
  startedAt: number;
  exit?: ExitResult;
  /** timer for the scripted exit; remaining ms while paused */
  exitTimer?: unknown;
  exitDueAt?: number;
  pausedRemaining?: number;
  killTimer?: unknown;
  logs: string[];
  waiters: ((e: ExitResult) => void)[];
}

let hosts = 0;

/** The shared world of fake instances. */
export class FakeHost {
  readonly name = `fake-host-${++hosts}`;
  readonly instances = new Map<string, FakeInstance>();
  /** how many times each unit was started (picks the scripted behaviour) */
  readonly starts = new Map<string, number>();
  nextPid = 1000;
}

/** Observed status of an instance (gone when the host has never heard of it). */
export function statusOf(inst: FakeInstance | undefined): InstanceStatus {
  if (!inst) return { state: 'gone' };
  const s: InstanceStatus = { state: inst.state };
  if (inst.state === 'running' || inst.state === 'paused') s.pid = inst.pid;
  if (inst.exit) s.exit = inst.exit;
  return s;
}
