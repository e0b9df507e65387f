/**
 * A 5-field (or 6, seconds first) cron expression → a systemd OnCalendar= expression (pure), for
 * exported .timer files. Covers `*`, numbers, lists, ranges and `*\/n`;
 * anything else is an error value (the caller says which unit).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The OnCalendar= expression, or `{ error }` when it cannot be said in systemd's syntax. */
export function cronToCalendar(cron: string): { calendar: string } | { error: string } {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 && f.length !== 6) return { error: `cron "${cron}" needs 5 fields (minute hour day month weekday), or 6 with seconds first` };
  const sec = f.length === 6 ? f.shift()! : '0';
  const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  const parts = [field(min, 'minute', 0), field(hour, 'hour', 0), field(dom, 'day', 1), field(mon, 'month', 1), field(sec, 'second', 0)];
  for (const p of parts) if ('error' in p) return p;
  const [m, h, d, mo, sc] = parts.map((p) => (p as { v: string }).v) as [string, string, string, string, string];
  let weekday = '';
  if (dow !== '*') {
    const names: string[] = [];
    for (const item of dow.split(',')) {
      const r = /^(\d)(?:-(\d))?$/.exec(item);
      if (!r) return { error: `weekday "${dow}" is not supported in an exported timer (use numbers, lists and ranges)` };
      const a = DAYS[Number(r[1]) % 7], b = r[2] !== undefined ? DAYS[Number(r[2]) % 7] : undefined;
      if (!a || (r[2] !== undefined && !b)) return { error: `weekday "${item}" is out of range` };
      names.push(b ? `${a}..${b}` : a);
    }
    weekday = `${names.join(',')} `;
  }
  return { calendar: `${weekday}*-${mo}-${d} ${h}:${m}:${sc}` };
}

function field(s: string, what: string, first: number): { v: string } | { error: string } {
  if (s === '*') return { v: '*' };
  const step = /^\*\/(\d+)$/.exec(s);
  if (step) return { v: `${pad(String(first))}/${step[1]}` };
  const items: string[] = [];
  for (const item of s.split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!r) return { error: `${what} "${s}" is not supported in an exported timer (use *, numbers, lists, ranges or */n)` };
    items.push(r[2] !== undefined ? `${pad(r[1]!)}..${pad(r[2])}` : pad(r[1]!));
  }
  return { v: items.join(',') };
}

const pad = (n: string) => n.padStart(2, '0');
