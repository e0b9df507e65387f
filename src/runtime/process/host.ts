/**
 * Small host helpers for the process driver: users from /etc/passwd,
 * running a command on the host (exec), and `top` from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ExecOptions, ExecResult, ProcessInfo } from '../driver.js';

/** `name`, `uid` or `uid:gid` (names allowed on both sides) → numbers; undefined when unknown. */
export function resolveUser(user: string, passwd = '/etc/passwd', group = '/etc/group'): { uid: number; gid: number } | undefined {
  const [u, g] = user.split(':');
  const lines = (file: string) => { try { return readFileSync(file, 'utf8').split('\n').map((l) => l.split(':')); } catch { return []; } };
  const pw = lines(passwd);
  let uid: number | undefined;
  let gid: number | undefined;
  if (/^\d+$/.test(u!)) {
    uid = Number(u);
    const row = pw.find((r) => r[2] === u);
    gid = row ? Number(row[3]) : uid;
  } else {
    const row = pw.find((r) => r[0] === u);
    if (!row) return undefined;
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const row = lines(group).find((r) => r[0] === g);
      if (!row) return undefined;
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}

/** Runs argv on the host and collects its output (bounded to 1 MiB per stream). */
export function runOnHost(argv: string[], o: ExecOptions & { uid?: number; gid?: number }): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: o.env, cwd: o.workdir, uid: o.uid, gid: o.gid, stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const cap = (s: string, d: string) => (s.length < 1 << 20 ? s + d : s);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout = cap(stdout, d)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = cap(stderr, d)));
    if (o.input !== undefined) child.stdin!.end(o.input);
    const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/** ProcessInfo for each pid from /proc (pids that vanished meanwhile are skipped). */
export function readTop(pids: number[]): ProcessInfo[] {
  const page = 4096;
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const rss = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * page;
      out.push({ pid, ppid: Number(afterComm[1]), user: uid, rssBytes: rss, command: cmdline || `[${comm}]` });
    } catch { /* exited */ }
  }
  return out;
}
