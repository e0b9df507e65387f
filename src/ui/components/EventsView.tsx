/**
 * The live ledger of the whole host, newest at the bottom; a filter and a
 * paused scroll position.
 */
import { Box, Text } from 'ink';
import type { BerthEvent } from '../../supervisor/events.js';
import { describeEvent } from '../event-text.js';
import { EventLine } from './EventLine.js';

export interface EventsViewProps {
  events: BerthEvent[];
  filter: string;
  /** lines scrolled up from the bottom (0 = following) */
  scroll: number;
  paused: boolean;
  width: number;
  height: number;
}

/** Events that mention every word of `filter` (type, unit or text). */
export function filterEvents(events: BerthEvent[], filter: string): BerthEvent[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return events;
  return events.filter((e) => {
    const hay = `${e.type} ${'unit' in e ? e.unit : ''} ${describeEvent(e)}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The events view. */
export function EventsView({ events, filter, scroll, paused, width, height }: EventsViewProps) {
  const shown = filterEvents(events, filter);
  const end = Math.max(0, shown.length - scroll);
  const rows = shown.slice(Math.max(0, end - (height - 1)), end);
  return (
    <Box flexDirection="column">
      <Text bold>
        {' '}Events · {shown.length} shown{filter ? ` matching "${filter}"` : ''}{paused ? ' · ⏸ paused (space resumes)' : ' · following'}
      </Text>
      {rows.length ? rows.map((e) => <EventLine key={e.seq} event={e} showUnit width={width} />) : <Text dimColor> no events yet</Text>}
    </Box>
  );
}
