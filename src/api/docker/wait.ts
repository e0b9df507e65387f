/**
 * POST /containers/{id}/wait: resolves when the container reaches the
 * condition — not-running (now, if it is not), next-exit, or removed (after
 * the exit, once an --rm unit is gone) — with its exit status.
 */
import type { IncomingMessage } from 'node:http';
import type { Agent } from '../../supervisor/agent.js';
import { isLive } from '../../supervisor/state.js';
import type { UnitSupervisor } from '../../supervisor/unit-supervisor.js';
import { exitCodeOf } from './docker-views.js';

/** Docker's wait response. */
export interface WaitResult {
  StatusCode: number;
  Error: { Message: string } | null;
}

/** Waits for a container; gives up (without answering) when the client goes away. */
export function waitForContainer(agent: Agent, sup: UnitSupervisor, condition: 'not-running' | 'next-exit' | 'removed', client: IncomingMessage): Promise<WaitResult> {
  const name = sup.name;
  const result = (e = sup.lastExit): WaitResult => ({ StatusCode: exitCodeOf(e), Error: e?.reason?.startsWith('failed to start') ? { Message: e.reason } : null });
  const running = () => isLive(sup.state) || ['starting', 'stopping', 'backing-off'].includes(sup.state);
  if (condition === 'not-running' && !running() && sup.state !== 'created') return Promise.resolve(result());
  return new Promise((resolve) => {
    let exit: WaitResult | undefined;
    const done = (r: WaitResult) => {
      unsubscribe();
      clearInterval(poll);
      resolve(r);
    };
    const unsubscribe = agent.ledger.subscribe((e) => {
      if (e.type !== 'unit.exited') return;
      exit = result({ code: e.code, signal: e.signal, oomKilled: e.oomKilled, finishedAt: e.time, ...(sup.lastExit?.reason ? { reason: sup.lastExit.reason } : {}) });
      if (condition !== 'removed') done(exit);
    }, { unit: name });
    // removal comes after the exit (an --rm unit goes a tick later); a plain `docker rm` ends the wait too
    const poll = setInterval(() => {
      if (agent.units.get(name) !== sup) done(exit ?? result());
    }, 50);
    client.socket.once('close', () => {
      unsubscribe();
      clearInterval(poll);
    });
  });
}
