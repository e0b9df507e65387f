/**
 * Jobs: the last runs of each (exit code, duration) and the next run time
 * (GET /v1/dash/jobs).
 */
import { Box, Text } from 'ink';
import type { DashClient } from '../dash-client.js';
import { fit, formatAge, formatClock } from '../format.js';
import { useFetch } from '../hooks/use-fetch.js';

interface JobRow {
  unit: string;
  state: string;
  nextRun?: number;
  runs: { run: number; startedAt: number; finishedAt?: number; code?: number | null; signal?: string | null; skipped?: boolean }[];
}

/** One run in a few characters: #3 exit 0 18s. */
function runText(r: JobRow['runs'][number]): string {
  if (r.skipped) return `#${r.run} skipped`;
  if (r.finishedAt === undefined) return `#${r.run} running`;
  const how = r.signal ? r.signal : `exit ${r.code ?? '?'}`;
  return `#${r.run} ${how} ${formatAge(r.finishedAt - r.startedAt)}`;
}

/** The jobs view. */
export function JobsView({ client, height, refresh }: { client: DashClient; height: number; refresh: number }) {
  const jobs = useFetch<JobRow[]>(client, '/v1/dash/jobs', refresh);
  if (jobs.notFound) return <Text> Jobs · not available from this agent (it has no GET /v1/dash/jobs)</Text>;
  if (jobs.error) return <Text color="red"> Jobs · ✕ {jobs.error}</Text>;
  if (!jobs.data) return <Text> Jobs · loading…</Text>;
  return (
    <Box flexDirection="column">
      <Text bold> Jobs · {jobs.data.length}</Text>
      <Text bold> {fit('NAME', 20)} {fit('STATE', 12)} {fit('NEXT RUN', 9)} LAST RUNS (newest first)</Text>
      {jobs.data.length ? null : <Text dimColor> no jobs on this agent</Text>}
      {jobs.data.slice(0, Math.max(1, height - 2)).map((j) => (
        <Text key={j.unit} wrap="truncate-end">
          {' '}{fit(j.unit, 20)} {fit(j.state, 12)} {fit(j.nextRun ? formatClock(j.nextRun) : '–', 9)} {j.runs.slice(-5).reverse().map(runText).join(' · ') || 'never ran'}
        </Text>
      ))}
    </Box>
  );
}
