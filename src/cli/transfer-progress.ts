/**
 * Draws pull/push progress from TransferEvents: one cli-progress bar per
 * blob on a terminal; on a pipe or log, one plain line per finished blob.
 */
import type { TransferEvent } from '../image/registry/pull-image.js';

/** A renderer: feed it events, then call `stop()` once. */
export interface TransferProgress {
  onEvent(e: TransferEvent): void;
  stop(): void;
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);
const human = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** Makes a renderer writing to stderr; bars only when stderr is a TTY. */
export async function createTransferProgress(verb: 'pull' | 'push', stream: NodeJS.WriteStream = process.stderr): Promise<TransferProgress> {
  const words: Record<string, string> = { exists: 'already there', downloaded: 'downloaded', uploaded: 'pushed', mounted: 'mounted' };
  if (!stream.isTTY) {
    return {
      onEvent: (e) => {
        if (e.type === 'resolved') stream.write(`${verb === 'pull' ? 'pulling' : 'pushing'} ${e.ref} (${e.blobs.length} blobs)\n`);
        if (e.type === 'blob-done') stream.write(`${short(e.digest)} ${e.kind}: ${words[e.outcome]}\n`);
      },
      stop: () => undefined,
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar(
    { stream, clearOnComplete: false, hideCursor: true, format: ' {id} {kind} [{bar}] {value}/{total} {what}', formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? human(v) : String(v)) },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, ReturnType<typeof multi.create>>();
  const outcomes = new Map<string, string>();
  let stopped = false;
  return {
    onEvent: (e) => {
      if (e.type === 'resolved') for (const b of e.blobs) bars.set(b.digest, multi.create(Math.max(b.size, 1), 0, { id: short(b.digest), kind: b.kind.padEnd(6), what: 'waiting' }));
      if (e.type === 'blob') bars.get(e.digest)?.update(e.done, { what: verb === 'pull' ? 'downloading' : 'pushing' });
      if (e.type === 'blob-done') {
        const bar = bars.get(e.digest);
        bar?.update(bar.getTotal(), { what: words[e.outcome] });
      }
      if (e.type === 'blob-done') outcomes.set(e.digest, words[e.outcome]!);
      if (e.type === 'unpacking') bars.get(e.digest)?.update({ what: 'unpacking' });
      if (e.type === 'done') for (const [d, bar] of bars) bar.update({ what: outcomes.get(d) ?? 'done' });
    },
    stop: () => {
      if (!stopped) multi.stop();
      stopped = true;
    },
  };
}
