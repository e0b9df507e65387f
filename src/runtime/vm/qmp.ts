/**
 * A minimal QMP client: one connection per command over the VM's unix
 * socket (greeting, `qmp_capabilities`, the command, its answer). QMP allows
 * one client at a time, so every call is short; a failed connect means
 * QEMU is gone (or busy with another client: callers retry).
 */
import { createConnection } from 'node:net';

/** A QMP error answer or a broken connection. */
export class QmpError extends Error {
  constructor(message: string, readonly qmpClass?: string) {
    super(message);
    this.name = 'QmpError';
  }
}

/** Runs one QMP command and resolves to its `return` value. */
export function qmp(socket: string, command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buf = '';
    let step = 0;
    const finish = (err: Error | null, value?: unknown) => {
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => finish(new QmpError(`QMP ${command}: no answer within ${timeoutMs} ms`)), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('error', (e) => finish(new QmpError(`QMP ${command}: ${e.message}`)));
    conn.on('close', () => finish(new QmpError(`QMP ${command}: connection closed`)));
    conn.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { QMP?: unknown; return?: unknown; error?: { class: string; desc: string }; event?: string };
        if (msg.event) continue;
        if (msg.error) return finish(new QmpError(`QMP ${command}: ${msg.error.desc}`, msg.error.class));
        if (step === 0 && msg.QMP) { step = 1; conn.write('{"execute":"qmp_capabilities"}\n'); continue; }
        if (step === 1 && 'return' in msg) { step = 2; conn.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`); continue; }
        if (step === 2 && 'return' in msg) return finish(null, msg.return);
      }
    });
  });
}

/** `query-status`'s answer: 'running', 'paused', 'shutdown', 'prelaunch', … */
export async function qmpStatus(socket: string, timeoutMs = 3000): Promise<string> {
  const r = (await qmp(socket, 'query-status', undefined, timeoutMs)) as { status?: string };
  return r.status ?? 'unknown';
}
