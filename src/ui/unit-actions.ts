/**
 * Which action a key means for a unit, and whether it asks first (pure).
 */
import type { UnitView } from './dash-client.js';

/** An action the API takes: POST /v1/units/:name/:action. */
export type UnitAction = 'start' | 'stop' | 'restart' | 'reload' | 'pause' | 'unpause' | 'reset';

/** The action for `key` on `unit`, or undefined; `confirm` holds the question for destructive ones. */
export function actionForKey(key: string, unit: UnitView): { action: UnitAction; confirm?: string } | undefined {
  switch (key) {
    case 's': return { action: 'start' };
    case 'S': return { action: 'stop', confirm: `stop ${unit.name}? it stays down until started` };
    case 'r': return { action: 'restart', confirm: `restart ${unit.name}?` };
    case 'R': return { action: 'reload' };
    case 'p': return { action: unit.state === 'paused' ? 'unpause' : 'pause' };
    case 'x': return { action: 'reset', confirm: `reset ${unit.name}? clears its failures and restart count` };
    default: return undefined;
  }
}
