/**
 * The units table: a header and a window of rows around the selection
 * (virtualised: only the rows that fit are rendered, however many units).
 */
import { Box, Text } from 'ink';
import type { UnitView } from '../dash-client.js';
import { headerCells, type Column } from '../unit-columns.js';
import type { UsageHistory } from '../usage-history.js';
import { UnitRow } from './UnitRow.js';

export interface UnitTableProps {
  units: UnitView[];
  columns: Column[];
  usage: ReadonlyMap<string, UsageHistory>;
  selected: number;
  offset: number;
  height: number;
  now: number;
  emptyText: string;
  /** said under the rows (the filter in force) */
  note?: string;
}

/** The table; `height` counts rows below the header. */
export function UnitTable({ units, columns, usage, selected, offset, height, now, emptyText, note }: UnitTableProps) {
  const visible = units.slice(offset, offset + height);
  const range = units.length > height ? `${offset + 1}-${offset + visible.length} of ${units.length}` : '';
  const more = [range, note].filter(Boolean).join(' · ');
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold> {headerCells(columns).join(' ')}</Text>
      </Box>
      {visible.length === 0 ? <Text dimColor> {emptyText}</Text> : null}
      {visible.map((u, i) => (
        <UnitRow key={u.name} unit={u} columns={columns} usage={usage.get(u.name)?.current} selected={offset + i === selected} now={now} />
      ))}
      {more ? <Text dimColor> {more}</Text> : null}
    </Box>
  );
}
