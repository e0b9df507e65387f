/**
 * One row of the units table. Memoised on the unit's view object (which the
 * feed keeps when nothing changed), so 500 units re-render only what moved.
 */
import { Text } from 'ink';
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
  const at = columns.findIndex((c) => c.id === 'state');
  // one Text with the state cell nested: a single layout node per row keeps 500-unit renders cheap
  return (
    <Text inverse={selected} bold={selected} wrap="truncate-end">
      {selected ? '▶' : ' '}
      {cells.slice(0, at).join(' ')}{at > 0 ? ' ' : ''}
      <Text color={lookOf(unit.state).color}>{cells[at]}</Text>
      {at < cells.length - 1 ? ' ' : ''}{cells.slice(at + 1).join(' ')}
    </Text>
  );
});
