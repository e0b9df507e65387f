/**
 * A unit's logs across its instances. Every driver writes an instance's
 * output in the CRI k8s-file format (`<RFC3339Nano> <stream> <F|P> <text>`);
 * when an instance is removed its log is appended to the unit's archive
 * (`<root>/units/<name>/logs/archive.log`, rotated at 8 MiB, one old copy
 * kept), so `berth logs` shows what happened before a restart too.
 */
import { appendFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One log line, parsed. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
  /** the instance that wrote it (or 'archive') */
  instance?: string;
}

const MAX_ARCHIVE = 8 * 1024 * 1024;
const LINE = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/;

/** Parses one k8s-file line; a line in another shape is kept as stdout text. */
export function parseLogLine(raw: string): LogLine {
  const m = LINE.exec(raw);
  if (!m) return { time: '', stream: 'stdout', text: raw };
  return { time: m[1]!, stream: m[2] as 'stdout' | 'stderr', text: m[4]! };
}

/** Joins partial (P) lines with their continuation, like `podman logs` does. */
export function parseLogText(text: string): LogLine[] {
  const out: LogLine[] = [];
  let pending: LogLine | undefined;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const m = LINE.exec(raw);
    const line = parseLogLine(raw);
    if (pending) {
      pending.text += line.text;
      if (!m || m[3] === 'F') {
        out.push(pending);
        pending = undefined;
      }
      continue;
    }
    if (m && m[3] === 'P') pending = line;
    else out.push(line);
  }
  if (pending) out.push(pending);
  return out;
}

/** Folder of a unit's archived logs. */
export function unitLogDir(root: string, unit: string): string {
  return join(root, 'units', unit, 'logs');
}

/** Appends an ended instance's log to its unit's archive (rotating it when big). */
export function archiveInstanceLog(root: string, unit: string, logPath: string): void {
  if (!logPath || !existsSync(logPath)) return;
  const dir = unitLogDir(root, unit);
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, 'archive.log');
  if (existsSync(archive) && statSync(archive).size > MAX_ARCHIVE) renameSync(archive, `${archive}.1`);
  appendFileSync(archive, readFileSync(logPath));
}

/** The last `n` lines of the archive and the current instance's log, oldest first. */
export function readUnitLogs(root: string, unit: string, current: string | undefined, options: { tail?: number; sinceMs?: number } = {}): LogLine[] {
  const files = [join(unitLogDir(root, unit), 'archive.log.1'), join(unitLogDir(root, unit), 'archive.log')];
  if (current) files.push(current);
  let lines: LogLine[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    lines.push(...parseLogText(readFileSync(f, 'utf8')));
  }
  if (options.sinceMs !== undefined) {
    const since = options.sinceMs;
    lines = lines.filter((l) => !l.time || Date.parse(l.time) >= since);
  }
  if (options.tail !== undefined) lines = lines.slice(-options.tail);
  return lines;
}

/**
 * Follows a log file from byte `from`, calling `onLines` with whole lines as
 * they arrive (polling every 250 ms: cheap, and works for files that another
 * process writes and rotates). Returns a stop function.
 */
export function followLogFile(path: string, from: number, onLines: (lines: LogLine[]) => void): () => void {
  let offset = from;
  let rest = '';
  let busy = false;
  const tick = () => {
    if (busy) return;
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return;
    }
    if (size < offset) offset = 0;
    if (size === offset) return;
    busy = true;
    const stream = createReadStream(path, { start: offset, end: size - 1, encoding: 'utf8' });
    let chunk = '';
    stream.on('data', (d) => (chunk += d));
    stream.on('close', () => {
      busy = false;
      offset = size;
      const text = rest + chunk;
      const cut = text.lastIndexOf('\n');
      rest = cut < 0 ? text : text.slice(cut + 1);
      if (cut >= 0) {
        const lines = parseLogText(text.slice(0, cut));
        if (lines.length) onLines(lines);
      }
    });
  };
  const timer = setInterval(tick, 250);
  tick();
  return () => clearInterval(timer);
}

/** Size of a file, 0 when missing. */
export function fileSize(path: string | undefined): number {
  if (!path) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Follows a unit's log across restarts: the current instance's file from its
 * end, then each new instance's file from its start. `onNewInstance`
 * subscribes to "a new instance started" and returns an unsubscribe.
 */
export function followUnitLogs(current: () => string | undefined, onNewInstance: (fn: () => void) => () => void, onLines: (lines: LogLine[]) => void): () => void {
  let stopFile = () => {};
  const watch = (path: string | undefined, from: number) => {
    stopFile();
    stopFile = path ? followLogFile(path, from, onLines) : () => {};
  };
  watch(current(), fileSize(current()));
  const unsubscribe = onNewInstance(() => watch(current(), 0));
  return () => {
    unsubscribe();
    stopFile();
  };
}
