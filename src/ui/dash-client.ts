/**
 * The slice of the API client the dashboard uses. `ApiClient` implements it;
 * tests pass a fake. Keeping it this small is what lets the dashboard work
 * against a remote agent (--host) and be tested without one.
 */
import type { UnitView } from '../supervisor/agent.js';

/** What the dashboard needs from an agent connection. */
export interface DashClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  stream<T>(path: string, onValue: (v: T) => void): { done: Promise<void>; stop: () => void };
}

/** GET /v1/info as the header shows it. */
export interface DashInfo {
  version: string;
  hostname: string;
  cgroup: string;
  isolations: Record<string, { ok: boolean; detail: string }>;
  lastSeq: number;
}

/** One unit's resource sample (GET /v1/dash/usage). */
export interface UsageSample {
  cpuNs?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
  pids?: number;
  at: number;
}

/** One log line (GET /v1/units/:name/logs). */
export interface LogLine {
  time: number | string;
  stream: string;
  text: string;
}

export type { UnitView };

/** One host systemd service (GET /v1/systemd/units). */
export type { HostUnitView } from '../systemd/host-units.js';
