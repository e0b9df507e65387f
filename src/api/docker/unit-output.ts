/**
 * A unit's output as Docker streams it: stdcopy frames (8-byte header:
 * stream 1|2, three zero bytes, big-endian length) for `logs` and `attach`
 * without a TTY. Follows across the start of the instance and ends when it
 * exits; the last lines are read from the archived log at the exit event, so
 * none is lost even when the container is removed right after (--rm).
 */
import type { Agent } from '../../supervisor/agent.js';
import type { LogLine } from '../../supervisor/unit-logs.js';

/** One stdcopy frame. */
export function frame(stream: 'stdout' | 'stderr', text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head[0] = stream === 'stderr' ? 2 : 1;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** What to stream. */
export interface OutputOptions {
  /** existing lines first (logs), or only new ones (attach) */
  history: boolean;
  follow: boolean;
  tail?: number;
  sinceMs?: number;
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** Streams a unit's output through `write`; calls `end` once. Returns a cancel function. */
export function streamUnitOutput(agent: Agent, name: string, o: OutputOptions, write: (b: Buffer) => void, end: () => void): () => void {
  const sent = new Set<string>();
  const startedAt = Date.now();
  const send = (l: LogLine) => {
    const key = `${l.time}|${l.stream}|${l.text}`;
    if (sent.has(key)) return;
    sent.add(key);
    if ((l.stream === 'stdout' && o.stdout === false) || (l.stream === 'stderr' && o.stderr === false)) return;
    write(frame(l.stream, `${o.timestamps ? `${l.time} ` : ''}${l.text}\n`));
  };
  if (o.history) agent.logs(name, { ...(o.tail !== undefined ? { tail: o.tail } : {}), ...(o.sinceMs !== undefined ? { sinceMs: o.sinceMs } : {}) }).forEach(send);
  const sup = agent.get(name);
  const live = !!sup.handle || ['starting', 'backing-off'].includes(sup.state) || (!o.history && sup.state === 'created');
  if (!o.follow || !live) {
    end();
    return () => undefined;
  }
  let done = false;
  const stopLogs = agent.followLogs(name, (lines) => lines.forEach(send));
  const unsubscribe = agent.ledger.subscribe((e) => {
    if (e.type !== 'unit.exited' || done) return;
    // the instance's log is archived before unit.exited: read its last lines now, before an --rm removal
    try {
      agent.logs(name).filter((l) => o.history || Date.parse(l.time) >= startedAt - 1000).forEach(send);
    } catch {
      // removed already
    }
    finish();
  }, { unit: name });
  function finish() {
    if (done) return;
    done = true;
    stopLogs();
    unsubscribe();
    end();
  }
  return () => {
    if (done) return;
    done = true;
    stopLogs();
    unsubscribe();
  };
}
