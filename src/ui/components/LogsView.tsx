/**
 * Logs of one unit or of all (each line prefixed and coloured by its unit),
 * with a search filter and a pause that freezes the scroll while lines keep
 * arriving underneath.
 */
import { Box, Text } from 'ink';
import { useRef } from 'react';
import type { DashClient } from '../dash-client.js';
import { fit, formatClock } from '../format.js';
import { useLogs, type UnitLogLine } from '../hooks/use-logs.js';

export interface LogsViewProps {
  client: DashClient;
  /** the units followed; more than one shows the unit prefix */
  units: string[];
  title: string;
  filter: string;
  paused: boolean;
  /** lines scrolled up from the bottom while paused */
  scroll: number;
  width: number;
  height: number;
}

const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'redBright', 'cyanBright', 'magentaBright'];

/** A stable colour per unit name. */
export function unitColor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

function clock(t: number | string): string {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isNaN(ms) ? '--:--:--' : formatClock(ms);
}

/** The logs view. */
export function LogsView({ client, units, title, filter, paused, scroll, width, height }: LogsViewProps) {
  const { lines, error } = useLogs(client, units);
  const frozen = useRef<UnitLogLine[] | undefined>(undefined);
  if (paused && !frozen.current) frozen.current = lines;
  if (!paused) frozen.current = undefined;
  const source = frozen.current ?? lines;
  const needle = filter.toLowerCase();
  const shown = needle ? source.filter((l) => l.text.toLowerCase().includes(needle) || l.unit.toLowerCase().includes(needle)) : source;
  const end = Math.max(0, shown.length - (paused ? scroll : 0));
  const rows = shown.slice(Math.max(0, end - (height - 1)), end);
  const prefix = units.length > 1;
  const unitWidth = prefix ? Math.min(16, Math.max(...units.map((u) => u.length))) : 0;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {' '}Logs · {title}{filter ? ` · search "${filter}" (${shown.length} lines)` : ''}{paused ? ' · ⏸ paused (space resumes, ↑↓ scroll)' : ' · following'}
        {error ? ` · ✕ ${error}` : ''}
      </Text>
      {rows.length ? null : <Text dimColor> no log lines yet</Text>}
      {rows.map((l) => (
        <Box key={l.id}>
          <Text dimColor>{clock(l.time)} </Text>
          {prefix ? <Text color={unitColor(l.unit)}>{fit(l.unit, unitWidth)} </Text> : null}
          <Text color={l.stream === 'stderr' ? 'red' : undefined} wrap="truncate-end">{l.text.slice(0, Math.max(10, width - 10 - unitWidth))}</Text>
        </Box>
      ))}
    </Box>
  );
}
