/**
 * The help overlay: every key, from the one key table. When the keys do not
 * fit one column (80x24), they go in two (without where each works), each
 * line cut to its column.
 */
import { Box, Text } from 'ink';
import { KEYS, type KeyHelp } from '../keys.js';

function Entry({ k, width, where }: { k: KeyHelp; width: number; where: boolean }) {
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text color="cyan">{k.keys.padEnd(9)}</Text> {k.what}{where ? <Text dimColor>  [{k.where}]</Text> : null}
      </Text>
    </Box>
  );
}

/** Lists every key; any key closes it. */
export function HelpOverlay({ height, width }: { height: number; width: number }) {
  const lines = Math.max(1, height - 3);
  const inner = width - 4;
  const columns = KEYS.length <= lines ? [KEYS] : [KEYS.slice(0, Math.ceil(KEYS.length / 2)), KEYS.slice(Math.ceil(KEYS.length / 2))];
  const colWidth = columns.length === 1 ? inner : Math.floor((inner - 2) / 2);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>Keys (any key closes this help)</Text>
      <Box>
        {columns.map((col, i) => (
          <Box key={i} flexDirection="column" width={colWidth} marginRight={i === 0 && columns.length > 1 ? 2 : 0}>
            {col.slice(0, lines).map((k) => <Entry key={k.keys} k={k} width={colWidth} where={columns.length === 1} />)}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
