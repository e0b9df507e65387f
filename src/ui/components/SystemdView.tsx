/**
 * The host's systemd services: state and sub-state, since when, main PID,
 * memory and description, a filter and a selection that s/S/r act on. The
 * list and the selection live in App; this draws a window of it.
 */
import { Box, Text } from 'ink';
import type { HostUnitView } from '../dash-client.js';
import type { HostUnitsState } from '../hooks/use-host-units.js';
import { hostHeader, hostRowCells, hostStateLook, layoutHostColumns } from '../host-unit-rows.js';

export interface SystemdViewProps {
  state: HostUnitsState;
  /** the filtered list */
  units: HostUnitView[];
  filter: string;
  selected: number;
  offset: number;
  /** rows for units (the view adds a title, a header and a range line) */
  rows: number;
  width: number;
  now: number;
}

/** The systemd view. */
export function SystemdView({ state, units, filter, selected, offset, rows, width, now }: SystemdViewProps) {
  if (state.notFound) return <Text wrap="truncate-end"> systemd · not available from this agent (it has no GET /v1/systemd/units)</Text>;
  if (!state.units) {
    return state.error ? <Text color="red" wrap="wrap"> systemd · ✕ {state.error}</Text> : <Text> systemd · loading the host&apos;s services…</Text>;
  }
  const all = state.units;
  const active = all.filter((u) => u.activeState === 'active').length;
  const failed = all.filter((u) => u.activeState === 'failed').length;
  const cols = layoutHostColumns(width - 2, units.reduce((n, u) => Math.max(n, u.name.length), 0));
  const visible = units.slice(offset, offset + rows);
  const range = units.length > rows ? `${offset + 1}-${offset + visible.length} of ${units.length}` : '';
  const note = filter ? `filter "${filter}": ${units.length} of ${all.length} (esc clears)` : '';
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {' '}systemd · {all.length} services · <Text color="green">▲ {active} active</Text> · <Text color={failed ? 'red' : undefined}>✕ {failed} failed</Text>
        {state.error ? <Text color="red"> · ✕ {state.error} (last list shown)</Text> : null}
      </Text>
      <Text bold wrap="truncate-end"> {hostHeader(cols)}</Text>
      {visible.length ? null : <Text dimColor> {filter ? `no service matches "${filter}" (esc clears)` : 'no services'}</Text>}
      {visible.map((u, i) => {
        const cells = hostRowCells(u, cols, now);
        const sel = offset + i === selected;
        return (
          <Text key={u.name} inverse={sel} bold={sel} wrap="truncate-end">
            {sel ? '▶' : ' '}{cells.name} <Text color={hostStateLook(u.activeState).color}>{cells.state}</Text>{cells.rest ? ` ${cells.rest}` : ''}
          </Text>
        );
      })}
      {range || note ? <Text dimColor wrap="truncate-end"> {[range, note].filter(Boolean).join(' · ')}</Text> : null}
    </Box>
  );
}
