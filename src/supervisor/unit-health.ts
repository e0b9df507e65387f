/**
 * The health hook a UnitSupervisor drives: begin checking when an instance
 * runs, end when it stops, and hand over the failure text when the unit was
 * restarted for being unhealthy (so the tracker can say why).
 */
export interface UnitHealth {
  begin(): void;
  end(): void;
  /** the last failing check's output, once, after an unhealthy restart */
  takeFailure(): string | undefined;
}

import type { UnitSpec } from '../config/unit-spec.js';
import type { Driver, Handle } from '../runtime/driver.js';
import type { Clock } from './clock.js';
import type { EventBody } from './events.js';
import { createProbe } from './health-check.js';
import { HealthMonitor } from './health-monitor.js';

/** What the health hook needs from its unit. */
export interface HealthTarget {
  spec: UnitSpec;
  handle?: Handle;
  markHealth(healthy: boolean): void;
  restartUnhealthy(): Promise<void>;
  stop(cause: 'health', byUser: boolean): Promise<void>;
}

/**
 * Health checks of one unit: a HealthMonitor per instance, the unit's state
 * moved on healthy/unhealthy, events emitted, and on_unhealthy carried out.
 */
export function createUnitHealth(target: HealthTarget, driver: Driver, clock: Clock, emit: (e: EventBody) => void): UnitHealth | undefined {
  const spec = target.spec.health;
  if (!spec) return undefined;
  let monitor: HealthMonitor | undefined;
  let failure: string | undefined;
  return {
    begin() {
      monitor?.stop();
      const exec = (argv: string[], o: { timeoutMs: number }) => {
        if (!target.handle) return Promise.reject(new Error('no running instance'));
        return driver.exec(target.handle, argv, { timeoutMs: o.timeoutMs });
      };
      monitor = new HealthMonitor({
        spec,
        probe: createProbe(spec.check, spec.timeoutMs, exec),
        clock,
        onChange: (status, result, failures) => {
          const output = result.output.trim().slice(0, 500);
          target.markHealth(status === 'healthy');
          if (status === 'healthy') {
            emit({ type: 'unit.healthy', unit: target.spec.name, output });
            return;
          }
          emit({ type: 'unit.unhealthy', unit: target.spec.name, output, failures });
          if (spec.onUnhealthy === 'restart') {
            failure = output || 'health check failed';
            void target.restartUnhealthy();
          } else if (spec.onUnhealthy === 'stop') void target.stop('health', false);
        },
      });
      monitor.start();
    },
    end() {
      monitor?.stop();
      monitor = undefined;
    },
    takeFailure() {
      const f = failure;
      failure = undefined;
      return f;
    },
  };
}
