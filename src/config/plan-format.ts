/**
 * The human form of a plan, as `berth plan` prints it: one line per unit
 * that changes (sign, name, action, reason), its changed fields, the diffs
 * indented under it, unchanged units on one line, and a closing count.
 */
import type { Action, ActionKind, Plan } from './plan-types.js';

const SIGN: Record<ActionKind, string> = { create: '+', remove: '-', restart: '~', reload: '~', update: '~', none: ' ' };
const COLOR: Record<ActionKind, number> = { create: 32, remove: 31, restart: 33, reload: 36, update: 34, none: 2 };

/** Formats a plan for a terminal; `color` adds ANSI colours. Ends with a newline. */
export function formatPlan(plan: Plan, options: { color?: boolean } = {}): string {
  const paint = (code: number, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const changed = plan.actions.filter((a) => a.kind !== 'none');
  const width = Math.max(4, ...changed.map((a) => a.unit.length));
  const out: string[] = [];
  for (const a of changed) {
    out.push(paint(COLOR[a.kind], `${SIGN[a.kind]} ${a.unit.padEnd(width)}  ${a.kind.padEnd(7)}`) + `  ${a.reason}`);
    if (a.fields.length > 0 && a.kind !== 'create') out.push(`    fields: ${a.fields.join(', ')}`);
    for (const d of a.diffs) out.push(...diffLines(d.unified, paint));
  }
  const unchanged = plan.actions.filter((a) => a.kind === 'none').map((a) => a.unit);
  if (unchanged.length > 0 && changed.length > 0) out.push(paint(2, `  unchanged: ${unchanged.join(', ')}`));
  const s = plan.summary;
  if (changed.length === 0) {
    out.push(`No changes. ${s.unchanged} unit${s.unchanged === 1 ? '' : 's'} unchanged.`);
  } else {
    if (out.length > 0) out.push('');
    out.push(`Plan: ${s.create} to create, ${s.restart} to restart, ${s.reload} to reload, ${s.update} to update, ${s.remove} to remove, ${s.unchanged} unchanged.`);
  }
  return `${out.join('\n')}\n`;
}

function diffLines(unified: string, paint: (code: number, s: string) => string): string[] {
  return unified.replace(/\n$/, '').split('\n').map((line) => {
    const colour = line.startsWith('+++') || line.startsWith('---') ? 1 : line.startsWith('+') ? 32 : line.startsWith('-') ? 31 : line.startsWith('@@') ? 36 : 0;
    return `    ${colour ? paint(colour, line) : line}`;
  });
}

/** One action as a line (for logs and events): `~ web restart: run.command changed`. */
export function formatAction(a: Action): string {
  return `${SIGN[a.kind]} ${a.unit} ${a.kind}: ${a.reason}`;
}
