/**
 * Network namespaces for containers, made with `ip netns add berth-<id>`:
 * the namespace is held by a bind mount at /run/netns/berth-<id>, so it
 * outlives the agent process (conmon and the container keep running across
 * agent restarts), CNI plugins and `ip netns`/`nsenter` find it by path, and
 * a stale one is found and removed by name after a crash. Only networked
 * containers need one made here; an unattached container gets a fresh netns
 * (loopback only) from the runtime itself.
 */
import { existsSync } from 'node:fs';
import { runCommand } from './run-command.js';

/** The directory `ip netns` keeps namespaces in. */
export const NETNS_DIR = '/run/netns';

/** The netns name of a container. */
export function netnsName(id: string): string {
  return `berth-${id}`;
}

/** The path runtimes and CNI plugins use. */
export function netnsPath(id: string): string {
  return `${NETNS_DIR}/${netnsName(id)}`;
}

/** Creates the namespace (its `lo` is brought up by the networker's CNI loopback plugin, which runs first). */
export async function createNetns(id: string): Promise<string> {
  const name = netnsName(id);
  const add = await runCommand('ip', ['netns', 'add', name]);
  if (add.code !== 0) throw new Error(`ip netns add ${name}: ${add.stderr.trim()}`);
  return netnsPath(id);
}

/** Removes the namespace if present. Idempotent. */
export async function deleteNetns(id: string): Promise<void> {
  if (!existsSync(netnsPath(id))) return;
  const r = await runCommand('ip', ['netns', 'delete', netnsName(id)]);
  if (r.code !== 0 && existsSync(netnsPath(id))) throw new Error(`ip netns delete ${netnsName(id)}: ${r.stderr.trim()}`);
}
