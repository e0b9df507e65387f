/**
 * `berth dash`: the terminal dashboard (Ink). It talks only to the agent's
 * API, so `--host tcp://…` shows a remote host. Keys: press ? inside.
 */
import type { Command } from 'commander';
import { format } from 'node:util';
import { BerthError } from '../../errors.js';
import { clientFor } from '../client.js';
import { readGlobals } from '../globals.js';

const VIEWS = ['units', 'logs', 'events', 'images', 'jobs', 'systemd'];

/** Registers the `dash` verb. */
export function register(program: Command): void {
  program
    .command('dash')
    .description('live dashboard: every unit, its state, logs and events; act on units with single keys (? for help)')
    .option('--view <view>', `open this view first: ${VIEWS.join(', ')}`, 'units')
    .action(async (opts: { view: string }, cmd: Command) => {
      if (!VIEWS.includes(opts.view)) throw new BerthError('E_BAD_FLAG', `--view must be one of ${VIEWS.join(', ')} (got ${opts.view})`);
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new BerthError('E_NOT_A_TERMINAL', 'berth dash needs an interactive terminal', { hint: 'for scripts use berth ps, berth events -f or berth logs -f' });
      }
      // React's development build keeps debug data per render: a dashboard left open for hours grows by
      // megabytes a minute (seen in bench/dash.ts). It must be chosen before react is first loaded.
      process.env.NODE_ENV ??= 'production';
      // Ink ignores resizes when it thinks it runs in CI (CI set); on a real terminal we are interactive
      for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (process.env[key] !== undefined) process.env[key] = 'false';
      const [{ createElement }, { render }, { App }, { DashFeed }, { TerminalScreen }, { writeFileSync }] = await Promise.all([
        import('react'), import('ink'), import('../../ui/components/App.js'), import('../../ui/dash-feed.js'),
        import('../../ui/terminal-screen.js'), import('node:fs'),
      ]);
      const client = clientFor(cmd);
      const feed = new DashFeed(client);
      feed.start();
      // BERTH_DASH_FRAME_FILE: the rows last painted, as plain text (the tmux test compares the pane with it)
      const frameFile = process.env.BERTH_DASH_FRAME_FILE;
      const screen = new TerminalScreen(process.stdout, { maxFps: 15, ...(frameFile ? { onPaint: (rows: string[]) => writeFileSync(frameFile, rows.join('\n')) } : {}) });
      screen.enter();
      // a signal or crash must not leave the terminal without its cursor, autowrap or normal screen
      process.once('exit', () => screen.leave());
      // console output would land in the middle of the screen: it goes to stderr when that is redirected
      // (`berth dash 2>dash.log`), else nowhere, until the dashboard ends
      const restoreConsole = quietConsole();
      // debug: Ink hands each whole frame to `screen`, which paints only the rows that changed (terminal-screen.ts)
      const app = render(createElement(App, { client, feed, address: readGlobals(cmd).host, initialView: opts.view as 'units' }), {
        stdout: screen as unknown as NodeJS.WriteStream,
        debug: true,
        patchConsole: false,
        exitOnCtrlC: true,
      });
      try {
        await app.waitUntilExit();
      } finally {
        feed.close();
        screen.leave();
        restoreConsole();
      }
      // open streams (logs, events) would keep the process alive
      process.exit(0);
    });
}

/** Sends console.* to a redirected stderr (or drops it) while the dashboard owns the terminal; returns the undo. */
function quietConsole(): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  const toStderr = !process.stderr.isTTY;
  for (const m of methods) console[m] = (...args: unknown[]) => {
    if (toStderr) process.stderr.write(`${format(...args)}\n`);
  };
  return () => methods.forEach((m, i) => (console[m] = saved[i]!));
}
