/**
 * Mounts the dashboard (ink-testing-library) on a FakeClient at a given
 * terminal size, with helpers to press keys and wait for a frame. Every
 * mounted app is remembered so a failed test cannot leave one running.
 */
import * as assert from 'uvu/assert';
import { createElement as h } from 'react';
import { render } from 'ink-testing-library';
import { App, type View } from '../../src/ui/components/App.js';
import { DashFeed } from '../../src/ui/dash-feed.js';
import type { UnitView } from '../../src/ui/dash-client.js';
import { FakeClient, settle } from './fake-client.js';

export interface MountOptions {
  columns?: number;
  rows?: number;
  view?: View;
  usageEveryMs?: number;
  hostEveryMs?: number;
  setup?: (c: FakeClient) => void;
}

const mounted: (() => void)[] = [];

/** Unmounts every app still mounted (for test.after.each). */
export function unmountAll(): void {
  for (const done of mounted.splice(0)) {
    try {
      done();
    } catch {
      // already unmounted
    }
  }
}

/** The dashboard on a fake agent serving `units`. */
export async function mountApp(units: UnitView[], opts: MountOptions = {}) {
  const client = new FakeClient(units);
  opts.setup?.(client);
  const feed = new DashFeed(client, { flushMs: 5 });
  feed.start();
  const app = render(h(App, {
    client, feed, address: 'unix:///fake.sock', usageEveryMs: opts.usageEveryMs ?? 60_000, hostEveryMs: opts.hostEveryMs ?? 60_000,
    ...(opts.view ? { initialView: opts.view } : {}),
  }));
  Object.defineProperty(app.stdout, 'columns', { value: opts.columns ?? 100, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: opts.rows ?? 24, configurable: true });
  app.stdout.emit('resize');
  await settle(40);
  const frame = () => app.lastFrame() ?? '';
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await settle(15);
    }
    await settle(20);
  };
  const done = () => {
    app.unmount();
    feed.close();
  };
  mounted.push(done);
  return { client, feed, app, frame, press, done };
}

/** Waits up to 3 s (a loaded CI host) for the frame to match (async fetches and flushes), then asserts. */
export async function see(d: { frame: () => string }, re: RegExp, msg?: string): Promise<void> {
  for (let i = 0; i < 150 && !re.test(d.frame()); i++) await settle(20);
  if (!re.test(d.frame())) console.error(d.frame());
  assert.match(d.frame(), re, msg);
}
