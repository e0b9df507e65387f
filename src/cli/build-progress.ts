/**
 * Draws build progress: one line per finished step
 * (`[3/7] COPY . /app (cached)`, `[2/7] RUN apk add … 1.2s`), RUN output
 * indented under its step, warnings; on a TTY the running step shows a live
 * elapsed-time line. Everything goes to stderr.
 */
import { paint, useColor } from './output.js';

/** A build event as it arrives from the library or the API (errors as JSON). */
export type WireBuildEvent = { type: string; [k: string]: unknown };

/** A renderer: feed events, then `stop()`. */
export interface BuildProgressView {
  onEvent(e: WireBuildEvent): void;
  stop(): void;
}

const secs = (ms: number) => (ms >= 100 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`);
const cut = (s: string, n = 70) => {
  const one = s.replace(/\s*\\?\n\s*/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** Makes a renderer for `stream` (default stderr). `quiet` prints only failures. */
export function createBuildProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): BuildProgressView {
  const tty = stream.isTTY === true && !quiet;
  const color = useColor(stream);
  let live: { label: string; started: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let liveShown = false;
  const clearLive = () => {
    if (liveShown) stream.write('\r\x1b[2K');
    liveShown = false;
  };
  const drawLive = () => {
    if (!live || !tty) return;
    stream.write(`\r\x1b[2K${paint('cyan', `${live.label} ${secs(Date.now() - live.started)}`, color)}`);
    liveShown = true;
  };
  const write = (text: string) => {
    clearLive();
    stream.write(text);
    drawLive();
  };
  let pendingOutput = '';
  return {
    onEvent(e) {
      if (e.type === 'warning') write(`${paint('yellow', 'warning:', color)} ${String(e.message)}\n`);
      else if (e.type === 'base-image' && !quiet) write(`${String(e.image)}: ${String(e.message)}\n`);
      else if (e.type === 'step-start') {
        live = { label: `[${String(e.n)}/${String(e.total)}] ${cut(String(e.text))}`, started: Date.now() };
        if (tty) {
          clearInterval(timer);
          timer = setInterval(drawLive, 100);
        }
      } else if (e.type === 'step-output' && !quiet) {
        pendingOutput += String(e.chunk);
        const lines = pendingOutput.split('\n');
        pendingOutput = lines.pop() ?? '';
        if (lines.length) write(lines.map((l) => `    ${paint('dim', l, color)}\n`).join(''));
      } else if (e.type === 'step-done') {
        clearInterval(timer);
        live = undefined;
        if (pendingOutput) write(`    ${paint('dim', pendingOutput, color)}\n`);
        pendingOutput = '';
        if (!quiet) write(`[${String(e.n)}/${String(e.total)}] ${cut(String(e.text))} ${e.cached ? paint('dim', '(cached)', color) : secs(Number(e.ms))}\n`);
      } else if (e.type === 'step-failed') {
        clearInterval(timer);
        live = undefined;
        if (pendingOutput) write(`    ${pendingOutput}\n`);
        pendingOutput = '';
        write(`[${String(e.n)}/${String(e.total)}] ${cut(String(e.text))} ${paint('red', `failed after ${secs(Number(e.ms))}`, color)}\n`);
      } else if (e.type === 'build-done' && !quiet) {
        write(`built in ${secs(Number(e.ms))}: ${String(e.built)} step(s) run, ${String(e.cached)} cached\n`);
      }
    },
    stop() {
      clearInterval(timer);
      clearLive();
    },
  };
}
