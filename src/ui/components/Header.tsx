/**
 * The top line: host facts (agent version, runtime, KVM or TCG, cgroup
 * mode, address), unit counts by state, the connection and the clock.
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { FeedState } from '../dash-feed.js';
import { formatAge, formatClock } from '../format.js';
import { isFailing, isUp } from '../unit-state.js';

export interface HeaderProps {
  feed: FeedState;
  address: string;
  now: number;
  width: number;
}

/** "crun 1.14 …" → "crun 1.14"; a missing isolation reads "no". */
function short(iso: { ok: boolean; detail: string } | undefined): string {
  if (!iso) return '–';
  if (!iso.ok) return 'no';
  return iso.detail.split(/[,;(]/)[0]!.trim().slice(0, 24);
}

/** The header line(s). */
export const Header = memo(function Header({ feed, address, now, width }: HeaderProps) {
  const info = feed.info;
  const up = feed.units.filter((u) => isUp(u.state)).length;
  const paused = feed.units.filter((u) => u.state === 'paused').length;
  const failing = feed.units.filter((u) => isFailing(u.state)).length;
  const conn = feed.connection === 'live'
    ? <Text color="green">● live</Text>
    : feed.connection === 'connecting'
      ? <Text color="yellow">… connecting</Text>
      : <Text color="red" bold>↻ reconnecting… {feed.retryAt ? `retry in ${formatAge(Math.max(0, feed.retryAt - now))}` : ''}</Text>;
  const facts = info
    ? `host ${info.hostname} · agent ${info.version} · runtime ${short(info.isolations.container)} · vm ${short(info.isolations.vm)} · cgroup ${info.cgroup}`
    : `agent at ${address}`;
  return (
    <Box flexDirection="column" width={width}>
      {/* one Text per line: side by side in a row, Yoga would shrink and wrap them into two lines on a narrow terminal */}
      <Text wrap="truncate-end"><Text bold> berth</Text> · {facts}</Text>
      <Text wrap="truncate-end">
        {' '}{feed.units.length} units · <Text color="green">▲ {up} up</Text> · <Text color="blue">● {paused} paused</Text> ·{' '}
        <Text color={failing ? 'red' : undefined}>✕ {failing} failing</Text> · {conn} · {formatClock(now)} · {address}
      </Text>
      {feed.connection === 'reconnecting' && feed.error ? <Text color="red" wrap="truncate-end"> {feed.error}</Text> : null}
    </Box>
  );
});
