/**
 * The bottom two lines: a prompt (filter or confirm) or the last action's
 * result, then the keys of the current view.
 */
import { Box, Text } from 'ink';
import { footerText } from '../keys.js';

/** The last action's outcome. */
export interface Status {
  ok: boolean | undefined;
  text: string;
}

export interface StatusLineProps {
  view: string;
  status: Status | undefined;
  confirm: string | undefined;
  editing: { label: string; text: string } | undefined;
  width: number;
}

/** The status line and the footer. */
export function StatusLine({ view, status, confirm, editing, width }: StatusLineProps) {
  let line = <Text> </Text>;
  if (editing) line = <Text>{editing.label} <Text bold>{editing.text}</Text>▏ <Text dimColor>(enter keeps, esc clears)</Text></Text>;
  else if (confirm) line = <Text color="yellow" bold>{confirm} [y/N]</Text>;
  else if (status) line = <Text color={status.ok === undefined ? 'cyan' : status.ok ? 'green' : 'red'} wrap="truncate-end">{status.ok === undefined ? '…' : status.ok ? '✓' : '✕'} {status.text}</Text>;
  return (
    <Box flexDirection="column" width={width}>
      {line}
      <Text dimColor wrap="truncate-end">{footerText(view, width)}</Text>
    </Box>
  );
}
