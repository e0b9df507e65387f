/**
 * One row of the units table. Memoised on the unit's view object (which the
 * feed keeps when nothing changed), so 500 units re-render only what moved.
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { UnitView } from '../dash-client.js';
import { rowCells, type Column, type UnitUsage } from '../unit-columns.js';
import { lookOf } from '../unit-state.js';

export interface UnitRowProps {
  unit: UnitView;
  columns: Column[];
  usage: UnitUsage | undefined;
  selected: boolean;
  /** seconds resolution is enough: countdowns and uptimes */
  now: number;
}

/** A table row: a ▶ marks the selection (readable without colour). */
export const UnitRow = memo(function UnitRow({ unit, columns, usage, selected, now }: UnitRowProps) {
  const cells = rowCells(unit, columns, usage, now);
  const color = lookOf(unit.state).color;
  return (
    <Box>
      <Text inverse={selected}>{selected ? '▶' : ' '}</Text>
      {cells.map((c, i) => (
        <Text key={columns[i]!.id} inverse={selected} color={columns[i]!.id === 'state' ? color : undefined} bold={columns[i]!.id === 'name' && selected}>
          {c}{i < cells.length - 1 ? ' ' : ''}
        </Text>
      ))}
    </Box>
  );
});
