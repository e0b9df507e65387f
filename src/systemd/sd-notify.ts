/**
 * sd_notify for the agent when systemd runs it as Type=notify: READY=1,
 * STATUS=…, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1.
 *
 * Node has no unix datagram sockets, so one long-lived helper sends them: a
 * few lines of Perl (perl-base, core `Socket` only) that read hex-encoded
 * messages on stdin and send each as one datagram to NOTIFY_SOCKET
 * (abstract `@…` names too). Why not the alternatives:
 * - `systemd-notify` would fork a process per ping, and systemd (252)
 *   drops a message whose sender is not the main PID unless the unit says
 *   NotifyAccess=all anyway; its `--pid` only helps when it may fake
 *   credentials, and it races with its own exit;
 * - a native addon (unix-dgram) needs a compiler at install time.
 * The helper's messages come from its own pid, so berth.service sets
 * NotifyAccess=all (see service-file.ts). When the agent dies, the helper's
 * stdin closes and it exits; when the agent's event loop hangs, no ping is
 * written, and systemd's watchdog fires as it should.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const HELPER = String.raw`use strict; use Socket;
my $p = shift; $p =~ s/^@/\0/;
socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "berth-notify: socket: $!\n";
my $to = pack_sockaddr_un($p);
$| = 1;
while (my $l = <STDIN>) { chomp $l; send($s, pack('H*', $l), 0, $to) or warn "berth-notify: send: $!\n"; }`;

/** Half of WATCHDOG_USEC in ms (systemd's advice), when the watchdog is on for this process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

/** One notify message from fields; values are one line each (newlines become spaces). */
export function formatNotify(fields: Record<string, string | number>): string {
  return Object.entries(fields).map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}`).join('\n');
}

/** Speaks sd_notify through the helper. */
export class SdNotifier {
  private timer?: NodeJS.Timeout;

  private constructor(private readonly helper: ChildProcess) {}

  /** A notifier when NOTIFY_SOCKET is set, else null (not run by systemd as Type=notify). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, perl = 'perl'): SdNotifier | null {
    const socket = env.NOTIFY_SOCKET;
    if (!socket) return null;
    const helper = spawn(perl, ['-e', HELPER, socket], { stdio: ['pipe', 'ignore', 'inherit'] });
    helper.on('error', () => undefined); // no perl: notifications are lost, the agent still runs
    helper.stdin!.on('error', () => undefined);
    helper.unref();
    (helper.stdin as unknown as { unref?: () => void }).unref?.();
    return new SdNotifier(helper);
  }

  /** Sends one message. */
  notify(fields: Record<string, string | number>): void {
    if (!this.helper.stdin?.writable) return;
    this.helper.stdin.write(`${Buffer.from(formatNotify(fields)).toString('hex')}\n`);
  }

  /** READY=1 with a status line. */
  ready(status: string): void { this.notify({ READY: 1, STATUS: status, MAINPID: process.pid }); }

  /** Pings the watchdog at half of WATCHDOG_USEC, refreshing STATUS each time; no-op without a watchdog. */
  startWatchdog(status: () => string, env: NodeJS.ProcessEnv = process.env): number | undefined {
    const every = watchdogIntervalMs(env);
    if (!every) return undefined;
    this.timer = setInterval(() => this.notify({ WATCHDOG: 1, STATUS: status() }), every);
    this.timer.unref();
    return every;
  }

  /** STOPPING=1, stops the watchdog pings. */
  stopping(status = 'stopping'): void {
    clearInterval(this.timer);
    this.notify({ STOPPING: 1, STATUS: status });
  }

  /** Ends the helper (after it has sent what was written). */
  close(): void {
    clearInterval(this.timer);
    this.helper.stdin?.end();
  }
}
