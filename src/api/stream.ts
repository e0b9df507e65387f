/**
 * Long-lived responses: NDJSON (one JSON value a line) or Server-Sent Events,
 * chosen by the Accept header. The stream ends when the client goes away.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A writer for one streamed response. */
export interface StreamWriter {
  send(value: unknown, meta?: { id?: number; event?: string }): void;
  onClose(fn: () => void): void;
  end(): void;
}

/** Takes over the reply and returns a writer; SSE when the client asks for text/event-stream. */
export function openStream(req: FastifyRequest, reply: FastifyReply): StreamWriter {
  const sse = (req.headers.accept ?? '').includes('text/event-stream');
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream' : 'application/x-ndjson',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders?.();
  const closers: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const fn of closers) fn();
  };
  // the response's close is the client going away; a request's close also fires once a POST body is read
  res.on('close', close);
  // keep idle connections open through proxies and let clients notice a dead agent
  const ping = setInterval(() => {
    // NDJSON readers skip blank lines; an empty write would send nothing at all
    if (!closed) res.write(sse ? ': ping\n\n' : '\n');
  }, 15_000);
  closers.push(() => clearInterval(ping));
  return {
    send(value, meta = {}) {
      if (closed) return;
      if (sse) {
        const head = `${meta.id !== undefined ? `id: ${meta.id}\n` : ''}${meta.event ? `event: ${meta.event}\n` : ''}`;
        res.write(`${head}data: ${JSON.stringify(value)}\n\n`);
      } else res.write(`${JSON.stringify(value)}\n`);
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    end() {
      close();
      res.end();
    },
  };
}
