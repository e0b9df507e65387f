/**
 * Small reads and writes of the host's network state through `ip`: whether a
 * link exists, deleting one, and the routing table (for subnet allocation).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Deletes a host network interface if it still exists; true when it did. */
export async function removeLink(name: string): Promise<boolean> {
  const exists = await run('ip', ['link', 'show', 'dev', name]).then(() => true, () => false);
  if (!exists) return false;
  return run('ip', ['link', 'del', 'dev', name]).then(() => true, () => false);
}

/** Host routes as CIDRs (for subnet allocation), leaving out those on the given devices. */
export async function hostRoutes(exceptDevs: string[] = []): Promise<{ cidr: string; dev: string }[]> {
  const out = await run('ip', ['-j', '-4', 'route', 'show', 'table', 'all']).then((r) => r.stdout, () => '[]');
  const routes = JSON.parse(out || '[]') as { dst: string; dev?: string; type?: string }[];
  return routes
    .filter((r) => r.dst !== 'default' && (r.type === undefined || r.type === 'unicast') && !exceptDevs.includes(r.dev ?? ''))
    .map((r) => ({ cidr: r.dst.includes('/') ? r.dst : `${r.dst}/32`, dev: r.dev ?? '' }));
}
