/**
 * One short line per event for the events view and the detail pane (pure).
 */
import type { BerthEvent } from '../supervisor/events.js';
import { formatAge } from './format.js';

/** What happened, in a few words (without time, seq or unit). */
export function describeEvent(e: BerthEvent): string {
  switch (e.type) {
    case 'unit.starting': return `starting${e.attempt ? ` (attempt ${e.attempt})` : ''}`;
    case 'unit.started': return `started ${e.instance}${e.pid ? ` pid ${e.pid}` : ''}`;
    case 'unit.exited': return `exited ${e.oomKilled ? 'oom-killed' : e.signal ? `by ${e.signal}` : `code ${e.code}`}${e.ranMs !== undefined ? ` after ${formatAge(e.ranMs)}` : ''}`;
    case 'unit.restarting': return `restarting in ${formatAge(e.delayMs)}: ${e.reason}`;
    case 'unit.backing-off': return `backing off ${formatAge(e.delayMs)}: ${e.reason}`;
    case 'unit.crash-looping': return `crash-looping: ${e.reason}`;
    case 'unit.failed': return `failed: ${e.reason}`;
    case 'unit.completed': return `completed${e.durationMs !== undefined ? ` in ${formatAge(e.durationMs)}` : ''}`;
    case 'unit.stopping': return `stopping (${e.cause}${e.signal ? `, ${e.signal}` : ''})`;
    case 'unit.stopped': return `stopped (${e.cause})${e.reason ? `: ${e.reason}` : ''}`;
    case 'unit.paused': return 'paused';
    case 'unit.unpaused': return 'unpaused';
    case 'unit.healthy': return 'healthy';
    case 'unit.unhealthy': return `unhealthy (${e.failures} failures): ${e.output}`;
    case 'unit.reloaded': return `reloaded by ${e.how}: ${e.detail}`;
    case 'unit.waiting': return `waiting for ${e.dep} to be ${e.condition} (it is ${e.state})`;
    case 'unit.drift': return `drift: ${e.detail} → ${e.action}`;
    case 'unit.reset': return 'reset';
    case 'job.run.started': return `run #${e.run} started`;
    case 'job.run.finished': return `run #${e.run} ${e.skipped ? 'skipped' : e.signal ? `killed by ${e.signal}` : `exit ${e.code}`} in ${formatAge(e.durationMs)}`;
    case 'apply.started': return `apply ${e.dir}: ${e.changes} change(s)`;
    case 'apply.finished': return `applied ${e.dir}: ${e.changes} change(s) in ${formatAge(e.durationMs)}`;
    case 'apply.failed': return `apply ${e.dir} failed: ${e.error}`;
    case 'agent.started': return `agent ${e.version} started (pid ${e.pid}, ${e.recovered} recovered)`;
    case 'agent.stopping': return `agent stopping: ${e.reason}`;
  }
}

/** A colour for the event's type. */
export function eventColor(type: string): string {
  if (/failed|crash|unhealthy|exited|backing/.test(type)) return 'red';
  if (/healthy|started|finished|completed|reloaded/.test(type)) return 'green';
  if (/stopp|paused|drift/.test(type)) return 'yellow';
  return 'cyan';
}
