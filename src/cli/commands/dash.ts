/**
 * `berth dash`: the terminal dashboard (Ink). It talks only to the agent's
 * API, so `--host tcp://…` shows a remote host. Keys: press ? inside.
 */
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import { clientFor } from '../client.js';
import { readGlobals } from '../globals.js';

const VIEWS = ['units', 'logs', 'events', 'images', 'jobs'];

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
      // Ink renders only the last frame when it thinks it runs in CI (CI set); on a real terminal we are interactive
      for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (process.env[key] !== undefined) process.env[key] = 'false';
      const [{ createElement }, { render }, { App }, { DashFeed }] = await Promise.all([
        import('react'), import('ink'), import('../../ui/components/App.js'), import('../../ui/dash-feed.js'),
      ]);
      const client = clientFor(cmd);
      const feed = new DashFeed(client);
      feed.start();
      // the alternate screen: the dashboard leaves the scrollback as it found it
      process.stdout.write('\x1b[?1049h\x1b[H');
      const app = render(createElement(App, { client, feed, address: readGlobals(cmd).host, initialView: opts.view as 'units' }), {
        // Ink 6.8's incremental mode leaves stale lines in tmux (seen in the e2e test); the default
        // renderer rewrites a fixed-height frame (every view keeps its height), throttled to 15 fps
        incrementalRendering: process.env.BERTH_DASH_INCREMENTAL === '1',
        maxFps: 15,
        exitOnCtrlC: true,
      });
      try {
        await app.waitUntilExit();
      } finally {
        feed.close();
        process.stdout.write('\x1b[?1049l');
      }
      // open streams (logs, events) would keep the process alive
      process.exit(0);
    });
}
