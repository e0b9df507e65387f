/**
 * The help overlay: every key, from the one key table.
 */
import { Box, Text } from 'ink';
import { KEYS } from '../keys.js';

/** Lists every key; any key closes it. */
export function HelpOverlay({ height }: { height: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys (any key closes this help)</Text>
      {KEYS.slice(0, Math.max(3, height - 3)).map((k) => (
        <Box key={k.keys}>
          <Text color="cyan">{k.keys.padEnd(10)}</Text>
          <Text>{k.what}</Text>
          <Text dimColor>  [{k.where}]</Text>
        </Box>
      ))}
    </Box>
  );
}
