/**
 * Images on the agent's host (GET /v1/images). An agent without the route
 * says so instead of failing.
 */
import { Box, Text } from 'ink';
import type { DashClient } from '../dash-client.js';
import { fit, formatAge, formatBytes } from '../format.js';
import { useFetch } from '../hooks/use-fetch.js';

/** One image as GET /v1/images lists it. */
export interface ImageRow {
  repository: string;
  tag: string;
  digest: string;
  created: string | number;
  size: number;
}

/** The images view. */
export function ImagesView({ client, height, now, refresh }: { client: DashClient; height: number; now: number; refresh: number }) {
  const images = useFetch<ImageRow[]>(client, '/v1/images', refresh);
  if (images.notFound) return <Text> Images · not available from this agent (it has no GET /v1/images)</Text>;
  if (images.error) return <Text color="red"> Images · ✕ {images.error}</Text>;
  if (!images.data) return <Text> Images · loading…</Text>;
  const rows = images.data.slice(0, Math.max(1, height - 2));
  const created = (c: string | number) => {
    const ms = typeof c === 'number' ? c : Date.parse(c);
    return Number.isNaN(ms) ? '–' : `${formatAge(now - ms)} ago`;
  };
  return (
    <Box flexDirection="column">
      <Text bold> Images · {images.data.length}</Text>
      <Text bold> {fit('REPOSITORY', 32)} {fit('TAG', 14)} {fit('DIGEST', 19)} {fit('CREATED', 12)} SIZE</Text>
      {rows.map((i) => (
        <Text key={`${i.repository}:${i.tag}:${i.digest}`}>
          {' '}{fit(i.repository, 32)} {fit(i.tag, 14)} {fit(i.digest.replace(/^sha256:/, '').slice(0, 12), 19)} {fit(created(i.created), 12)} {formatBytes(i.size)}
        </Text>
      ))}
    </Box>
  );
}
