/**
 * The selected unit in detail: why it is in its state (the ledger's own
 * sentence), its recent events, its rendered config files and its CPU and
 * memory as sparklines over the last minutes.
 */
import { Box, Text } from 'ink';
import type { BerthEvent } from '../../supervisor/events.js';
import type { DashClient, UnitView } from '../dash-client.js';
import { formatBytes } from '../format.js';
import { useFetch } from '../hooks/use-fetch.js';
import { stateText } from '../unit-columns.js';
import { lookOf } from '../unit-state.js';
import type { UsageHistory } from '../usage-history.js';
import { EventLine } from './EventLine.js';
import { Sparkline } from './Sparkline.js';

export interface DetailViewProps {
  client: DashClient;
  unit: UnitView;
  events: BerthEvent[];
  usage: UsageHistory | undefined;
  width: number;
  height: number;
  now: number;
}

interface FileView {
  dest: string;
  sha256: string;
  onChange?: string;
  content?: string;
  withheld?: string;
}

interface UnitDetail {
  image?: string;
  files?: { dest: string; sha256: string; onChange?: string }[];
  status?: { addresses?: Record<string, string> };
}

/** The detail view of one unit. */
export function DetailView({ client, unit, events, usage, width, height, now }: DetailViewProps) {
  const mine = events.filter((e) => 'unit' in e && e.unit === unit.name);
  // re-read why and the detail when something happens to the unit
  const refresh = mine.at(-1)?.seq ?? 0;
  const base = `/v1/units/${encodeURIComponent(unit.name)}`;
  const why = useFetch<{ why: string }>(client, `${base}/why`, refresh);
  const detail = useFetch<UnitDetail>(client, base, refresh);
  // contents (secrets as •••) when the agent serves them; hashes otherwise
  const contents = useFetch<FileView[]>(client, `${base}/files`, refresh);
  const files: FileView[] = Array.isArray(contents.data) ? contents.data : detail.data?.files ?? [];
  const shown = Math.max(1, Math.min(files.length, 4));
  // a few content lines per file, leaving room for why, sparklines and some events
  const linesPerFile = Math.max(0, Math.min(4, Math.floor((height - 14 - shown) / shown)));
  const addresses = Object.entries(detail.data?.status?.addresses ?? {}).map(([n, a]) => `${n} ${a}`).join(', ');
  const fixed = 10 + Math.min(files.length, 4) * (1 + linesPerFile);
  const eventRows = Math.max(2, height - fixed);
  const cur = usage?.current;
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1} width={width}>
      <Box>
        <Text bold>{unit.name}</Text>
        <Text> · {unit.kind} · {unit.isolation} · </Text>
        <Text color={lookOf(unit.state).color}>{stateText(unit, now)}</Text>
        <Text> · desired {unit.desired}{unit.image ? ` · image ${unit.image}` : ''}{addresses ? ` · ${addresses}` : ''}</Text>
      </Box>
      <Text bold>why</Text>
      <Text wrap="wrap">{why.data?.why ?? (why.error ? `✕ ${why.error}` : '…')}</Text>
      <Sparkline label="cpu" values={usage?.cpu ?? []} width={Math.min(60, width - 20)} latest={cur?.cpuPct !== undefined ? `${cur.cpuPct.toFixed(1)}%` : '–'} color="cyan" />
      <Sparkline
        label="mem"
        values={usage?.mem ?? []}
        width={Math.min(60, width - 20)}
        latest={cur?.memoryBytes !== undefined ? `${formatBytes(cur.memoryBytes)}${cur.memoryLimitBytes ? ` of ${formatBytes(cur.memoryLimitBytes)}` : ''}` : '–'}
        color="magenta"
      />
      <Text bold>config files {files.length ? '' : '(none)'}</Text>
      {files.slice(0, 4).map((f) => (
        <Box key={f.dest} flexDirection="column">
          <Text wrap="truncate-end">  {f.dest}  sha256 {f.sha256.slice(0, 12)}  on change: {f.onChange ?? 'restart'}</Text>
          {f.withheld ? <Text dimColor wrap="truncate-end">    ({f.withheld})</Text> : null}
          {(f.content ?? '').split('\n').filter((l) => l.trim()).slice(0, linesPerFile).map((l, i) => (
            <Text key={i} dimColor wrap="truncate-end">    │ {l}</Text>
          ))}
        </Box>
      ))}
      <Text bold>recent events</Text>
      {mine.length ? mine.slice(-eventRows).map((e) => <EventLine key={e.seq} event={e} showUnit={false} width={width - 4} />) : <Text dimColor>  none since the dashboard started</Text>}
    </Box>
  );
}
