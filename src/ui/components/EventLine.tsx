/**
 * One event as a line: time, seq, unit, what happened.
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { BerthEvent } from '../../supervisor/events.js';
import { describeEvent, eventColor } from '../event-text.js';
import { fit, formatClock } from '../format.js';

/** An event line; `showUnit` adds the unit column. */
export const EventLine = memo(function EventLine({ event, showUnit, width }: { event: BerthEvent; showUnit: boolean; width: number }) {
  const unit = 'unit' in event && typeof event.unit === 'string' ? event.unit : '';
  const lead = `${formatClock(event.time)} ${String(event.seq).padStart(5)} `;
  const unitCol = showUnit ? `${fit(unit, 16)} ` : '';
  const rest = Math.max(10, width - lead.length - unitCol.length - 20);
  return (
    <Box>
      <Text dimColor>{lead}</Text>
      <Text color={eventColor(event.type)}>{fit(event.type, 19)} </Text>
      {showUnit ? <Text>{unitCol}</Text> : null}
      <Text wrap="truncate-end">{fit(describeEvent(event), rest).trimEnd()}</Text>
    </Box>
  );
});
