/**
 * The image verbs go through the agent's API when one answers, and fall
 * back to the local image store (the library) when none does on the local
 * socket, so `berth images` works without an agent too. A remote --host
 * that does not answer is an error, never a silent local fallback.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../api/client.js';
import { errorCode } from '../errors.js';
import { clientFor } from './client.js';
import { readGlobals } from './globals.js';

const given = (top: Command, name: string) => {
  const source = top.getOptionValueSource(name);
  return source !== undefined && source !== 'default';
};

/**
 * Runs `viaApi` against the agent, or `local(root)` when no local agent
 * answers (or answers without image routes). A `--root` given without a
 * `--host` names a store: the agent is used only when it serves that root.
 */
export async function agentOrLocal<T>(cmd: Command, viaApi: (client: ApiClient) => Promise<T>, local: (root: string) => Promise<T>): Promise<T> {
  const g = readGlobals(cmd);
  let top: Command = cmd;
  while (top.parent) top = top.parent;
  const client = clientFor(cmd);
  const isLocal = g.host.startsWith('unix://');
  try {
    if (isLocal && given(top, 'root') && !given(top, 'host')) {
      const info = await client.get<{ root?: string }>('/v1/info');
      if (info.root !== g.root) return await local(g.root);
    }
    return await viaApi(client);
  } catch (err) {
    const code = errorCode(err);
    const oldAgent = code === 'E_NOT_FOUND' && /^no route /.test((err as Error).message);
    if (!isLocal || (code !== 'E_AGENT_UNREACHABLE' && !oldAgent)) throw err;
    return local(g.root);
  }
}

/** The final line of a streamed image call: `{done, …}` resolves, `{error}` throws; other lines go to `onEvent`. */
export async function streamCall<T>(client: ApiClient, path: string, body: unknown, onEvent: (e: Record<string, unknown>) => void): Promise<T> {
  let final: T | undefined;
  let failure: Record<string, unknown> | undefined;
  const s = client.stream<Record<string, unknown>>(path, (v) => {
    if (v.done === true) final = v as T;
    else if (v.error && typeof v.error === 'object' && !('type' in v)) failure = v.error as Record<string, unknown>;
    else onEvent(v);
  }, body);
  const stop = () => s.stop();
  process.once('SIGINT', stop);
  try {
    await s.done;
  } finally {
    process.off('SIGINT', stop);
  }
  if (failure) {
    const { BerthError } = await import('../errors.js');
    const err = new BerthError(String(failure.code ?? 'E_INTERNAL'), String(failure.message ?? 'failed'), typeof failure.hint === 'string' ? { hint: failure.hint } : {});
    throw err;
  }
  if (final === undefined) {
    const { BerthError } = await import('../errors.js');
    throw new BerthError('E_STREAM_ENDED', 'the agent ended the stream without a result', { hint: 'see the agent log' });
  }
  return final;
}
