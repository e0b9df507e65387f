/**
 * UnitView: one unit as the API, the CLI and the dashboard list it — its
 * observed state and the few facts a table shows.
 */

/** One unit as the API lists it. */
export interface UnitView {
  name: string;
  kind: string;
  isolation: string;
  state: string;
  desired: 'up' | 'down';
  instance?: string;
  pid?: number;
  startedAt?: number;
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; oomKilled: boolean; finishedAt: number; reason?: string };
  timerAt?: number;
  ports: string[];
  image?: string;
  /** jobs: the next scheduled run (epoch ms) */
  nextRun?: number;
  health?: string;
  /** network units */
  subnet?: string;
}
