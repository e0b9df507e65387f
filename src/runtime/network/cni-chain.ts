/**
 * Runs a chained conflist as the CNI spec orders it: ADD and CHECK visit the
 * plugins in order, each getting the previous plugin's result as prevResult;
 * DEL visits them in reverse, each getting the cached ADD result.
 */
import { buildPluginStdin, parseCniResult, pluginOrder, type CniCommand, type CniConfList, type CniResult, type CniTarget } from './cni-protocol.js';
import type { CniExec } from './cni-exec.js';

/** ADD: returns the last plugin's result (the one to cache for DEL and CHECK). */
export async function addConfList(
  exec: CniExec,
  list: CniConfList,
  target: CniTarget,
  runtimeConfig: Record<string, unknown> = {},
): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const i of pluginOrder('ADD', list)) {
    const type = list.plugins[i]!.type;
    const out = await exec(type, 'ADD', target, buildPluginStdin(list, i, prev, runtimeConfig));
    prev = parseCniResult(type, out);
  }
  if (!prev) throw new RangeError(`conflist ${list.name} has no plugins`);
  return prev;
}

/**
 * DEL or CHECK with the cached result (DEL works without one, as after a
 * crash during ADD). DEL goes on past a failing plugin so that one broken
 * step does not leave the others' state behind, then throws the first error.
 */
export async function runCachedConfList(
  exec: CniExec,
  command: Extract<CniCommand, 'DEL' | 'CHECK'>,
  list: CniConfList,
  target: CniTarget,
  cached: CniResult | undefined,
  runtimeConfig: Record<string, unknown> = {},
): Promise<void> {
  let first: unknown;
  for (const i of pluginOrder(command, list)) {
    try {
      await exec(list.plugins[i]!.type, command, target, buildPluginStdin(list, i, cached, runtimeConfig));
    } catch (err) {
      if (command === 'CHECK') throw err;
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
