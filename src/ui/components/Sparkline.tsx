/**
 * A labelled sparkline (cpu ▁▂▃, mem ▃▃▄) with the latest value.
 */
import { Box, Text } from 'ink';
import { sparkline } from '../format.js';

/** One sparkline row. */
export function Sparkline({ label, values, width, latest, color }: { label: string; values: number[]; width: number; latest: string; color: string }) {
  return (
    <Box>
      <Text>{label.padEnd(4)}</Text>
      <Text color={color}>{values.length ? sparkline(values, width) : '(no samples yet)'}</Text>
      <Text> {latest}</Text>
    </Box>
  );
}
