/**
 * Subscribes a component to a DashFeed's state.
 */
import { useSyncExternalStore } from 'react';
import type { DashFeed, FeedState } from '../dash-feed.js';

/** The feed's current state; re-renders after each flush. */
export function useFeed(feed: DashFeed): FeedState {
  return useSyncExternalStore(feed.subscribe, feed.getState);
}
