/**
 * `berth dash`: the units table with a detail pane, logs, events, images,
 * jobs and the host's systemd services, driven by the keys in keys.ts. Everything comes from one DashFeed
 * (snapshot, then the event stream) and a few on-demand GETs.
 */
import { Box, useApp } from 'ink';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DashClient } from '../dash-client.js';
import type { DashFeed } from '../dash-feed.js';
import { useFeed } from '../hooks/use-feed.js';
import { useHostUnits } from '../hooks/use-host-units.js';
import { useKeys } from '../hooks/use-keys.js';
import { useNow } from '../hooks/use-now.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useUsage } from '../hooks/use-usage.js';
import { filterHostUnits, hostActionForKey } from '../host-unit-rows.js';
import { actionForKey } from '../unit-actions.js';
import { layoutColumns } from '../unit-columns.js';
import { filterUnits, scrollOffset, SORTS, sortUnits } from '../unit-filter.js';
import { DetailView } from './DetailView.js';
import { EventsView } from './EventsView.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { ImagesView } from './ImagesView.js';
import { JobsView } from './JobsView.js';
import { LogsView } from './LogsView.js';
import { StatusLine, type Status } from './StatusLine.js';
import { SystemdView } from './SystemdView.js';
import { UnitTable } from './UnitTable.js';

/** The views. */
export type View = 'units' | 'detail' | 'logs' | 'events' | 'images' | 'jobs' | 'systemd';

export interface AppProps {
  client: DashClient;
  feed: DashFeed;
  /** the agent address, for the header */
  address: string;
  /** the view to open with (default units) */
  initialView?: View;
  /** ms between usage samples of the visible units */
  usageEveryMs?: number;
  /** ms between polls of the host's systemd services while their view is open */
  hostEveryMs?: number;
}

/** Units followed by "logs of all units" at most (one stream each). */
const MAX_LOG_STREAMS = 40;

/** The dashboard. */
export function App({ client, feed, address, initialView = 'units', usageEveryMs = 3000, hostEveryMs = 2000 }: AppProps) {
  const { exit } = useApp();
  const state = useFeed(feed);
  const now = useNow();
  const { columns: width, rows } = useTerminalSize();
  const [view, setView] = useState<View>(initialView);
  const [help, setHelp] = useState(false);
  const [selectedName, setSelectedName] = useState<string | undefined>();
  const [top, setTop] = useState(0);
  const [sort, setSort] = useState(0);
  const [unitFilter, setUnitFilter] = useState('');
  const [textFilter, setTextFilter] = useState('');
  const [editing, setEditing] = useState<{ label: string; text: string; target: 'units' | 'text' } | undefined>();
  // a destructive action waiting for y: what it is (for "cancelled") and how to run it
  const [confirm, setConfirm] = useState<{ question: string; what: string; go: () => void } | undefined>();
  const [status, setStatus] = useState<Status | undefined>();
  const [paused, setPaused] = useState(false);
  const [scroll, setScroll] = useState(0);
  const [logsAll, setLogsAll] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [hostName, setHostName] = useState<string | undefined>();
  const [hostTop, setHostTop] = useState(0);

  const units = useMemo(() => sortUnits(filterUnits(state.units, unitFilter), SORTS[sort]!), [state.units, unitFilter, sort]);
  const foundAt = selectedName === undefined ? -1 : units.findIndex((u) => u.name === selectedName);
  const selected = foundAt >= 0 ? foundAt : Math.min(units.length - 1, 0);
  const unit = units[selected];

  const headerLines = state.connection === 'reconnecting' && state.error ? 3 : 2;
  // every row of the screen: header, the view, status line and footer (TerminalScreen never scrolls)
  const main = Math.max(4, rows - headerLines - 2);
  const split = view === 'units' && main >= 34 && !!unit;
  const tableRows = Math.max(1, (split ? main - 16 : main) - 2);
  const offset = scrollOffset(top, selected, tableRows, units.length);
  useEffect(() => setTop(offset), [offset]);
  const longest = useMemo(() => units.reduce((n, u) => Math.max(n, u.name.length), 0), [units]);
  const cols = useMemo(() => layoutColumns(width - 2, longest), [width, longest]);
  const visibleNames = useMemo(() => {
    const names = view === 'units' ? units.slice(offset, offset + tableRows).map((u) => u.name) : [];
    if (unit && !names.includes(unit.name) && (view === 'detail' || view === 'units')) names.push(unit.name);
    return names;
  }, [units, offset, tableRows, view, unit]);
  const usage = useUsage(client, visibleNames, usageEveryMs);

  // the host's systemd services: polled only while their view is open
  const host = useHostUnits(client, view === 'systemd', hostEveryMs);
  const hostUnits = useMemo(() => filterHostUnits(host.units ?? [], view === 'systemd' ? textFilter : ''), [host.units, textFilter, view]);
  const hostFound = hostName === undefined ? -1 : hostUnits.findIndex((u) => u.name === hostName);
  const hostSelected = hostFound >= 0 ? hostFound : 0;
  const hostRows = Math.max(1, main - 3);
  const hostOffset = scrollOffset(hostTop, hostSelected, hostRows, hostUnits.length);
  useEffect(() => setHostTop(hostOffset), [hostOffset]);

  /** POSTs an action and says how it went in the status line; `now` words the result. */
  const post = useCallback(<T,>(label: string, path: string, now: (v: T) => string | undefined, after?: () => void) => {
    setStatus({ ok: undefined, text: `${label}…` });
    client.post<T>(path).then(
      (v) => {
        const state = now(v);
        setStatus({ ok: true, text: `${label}: done${state ? ` (now ${state})` : ''}` });
        after?.();
      },
      (err: { code?: string; message?: string; hint?: string }) => {
        setStatus({ ok: false, text: `${label}: ${err.code ? `${err.code} ` : ''}${err.message ?? String(err)}${err.hint ? ` — ${err.hint}` : ''}` });
        after?.();
      },
    );
  }, [client]);

  const move = (to: number) => {
    const u = units[Math.max(0, Math.min(units.length - 1, to))];
    if (u) setSelectedName(u.name);
  };
  const open = (v: View) => {
    setView(v);
    setPaused(false);
    setScroll(0);
    setTextFilter('');
    setRefresh((n) => n + 1);
  };

  useKeys((input, key) => {
    if (help) return setHelp(false);
    if (editing) {
      const apply = (text: string) => (editing.target === 'units' ? setUnitFilter(text) : setTextFilter(text));
      if (key.escape) {
        apply('');
        return setEditing(undefined);
      }
      if (key.return) return setEditing(undefined);
      if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      // a chunk typed at once may end in enter ("gam\r" from a paste or tmux)
      let text = key.backspace || key.delete ? editing.text.slice(0, -1) : editing.text;
      let finished = false;
      for (const ch of key.backspace || key.delete ? '' : input) {
        if (ch === '\r' || ch === '\n') {
          finished = true;
          break;
        }
        if (ch === '\x7f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
      apply(text);
      if (finished) return setEditing(undefined);
      return setEditing({ ...editing, text });
    }
    if (confirm) {
      setConfirm(undefined);
      if (input === 'y' || input === 'Y') confirm.go();
      else setStatus({ ok: undefined, text: `${confirm.what}: cancelled` });
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) {
      feed.close();
      return exit();
    }
    if (input === '?') return setHelp(true);
    if (input === 'e') return open('events');
    if (input === 'i') return open('images');
    if (input === 'J') return open('jobs');
    if (input === 'u') return open('units');
    if (input === 'y') return open('systemd');
    if (input === '/') {
      const target = view === 'logs' || view === 'events' || view === 'systemd' ? 'text' : 'units';
      const label = target === 'units' ? 'filter units:' : view === 'logs' ? 'search logs:' : view === 'systemd' ? 'filter systemd units:' : 'filter events:';
      return setEditing({ label, text: target === 'units' ? unitFilter : textFilter, target });
    }
    if (key.escape) {
      if (view === 'units') return setUnitFilter('');
      if (textFilter) return setTextFilter('');
      return open('units');
    }
    if (view === 'logs' || view === 'events') {
      if (input === ' ') {
        setScroll(0);
        return setPaused(!paused);
      }
      if (input === 'a' && view === 'logs') return setLogsAll(!logsAll);
      if (input === 'l' && view === 'events') return open('logs');
      const step = key.pageUp || key.pageDown ? main - 2 : 1;
      if (key.upArrow || input === 'k' || key.pageUp) {
        setPaused(true);
        return setScroll(scroll + step);
      }
      if (key.downArrow || input === 'j' || key.pageDown) return setScroll(Math.max(0, scroll - step));
      return;
    }
    if (view === 'images' || view === 'jobs') {
      if (input === 'l') return open('logs');
      return;
    }
    if (view === 'systemd') {
      const moveHost = (to: number) => {
        const u = hostUnits[Math.max(0, Math.min(hostUnits.length - 1, to))];
        if (u) setHostName(u.name);
      };
      if (key.upArrow || input === 'k') return moveHost(hostSelected - 1);
      if (key.downArrow || input === 'j') return moveHost(hostSelected + 1);
      if (key.pageUp) return moveHost(hostSelected - hostRows);
      if (key.pageDown) return moveHost(hostSelected + hostRows);
      if (input === 'g' || key.home) return moveHost(0);
      if (input === 'G' || key.end) return moveHost(hostUnits.length - 1);
      const target = hostUnits[hostSelected];
      const act = target && hostActionForKey(input, target.name);
      if (!target || !act) return;
      const label = `${act.action} ${target.name}`;
      const go = () => post<{ activeState?: string; subState?: string }>(label, `/v1/systemd/units/${encodeURIComponent(target.name)}/${act.action}`, (v) => (v?.activeState ? `${v.activeState}/${v.subState}` : undefined), host.refresh);
      if (act.confirm) setConfirm({ question: act.confirm, what: label, go });
      else go();
      return;
    }
    // units and detail
    if (key.upArrow || input === 'k') return move(selected - 1);
    if (key.downArrow || input === 'j') return move(selected + 1);
    if (key.pageUp) return move(selected - tableRows);
    if (key.pageDown) return move(selected + tableRows);
    if (input === 'g' || key.home) return move(0);
    if (input === 'G' || key.end) return move(units.length - 1);
    if (key.return) return setView(view === 'detail' ? 'units' : 'detail');
    if (input === 'o') {
      setSort((sort + 1) % SORTS.length);
      return setStatus({ ok: undefined, text: `sorted by ${SORTS[(sort + 1) % SORTS.length]}` });
    }
    if (!unit) return;
    if (input === 'l') {
      setLogsAll(false);
      return open('logs');
    }
    const act = actionForKey(input, unit);
    if (!act) return;
    const label = `${act.action} ${unit.name}`;
    const go = () => post<{ state?: string } | undefined>(label, `/v1/units/${encodeURIComponent(unit.name)}/${act.action}`, (v) => v?.state);
    if (act.confirm) setConfirm({ question: act.confirm, what: label, go });
    else go();
  }, !editing);

  const logUnits = logsAll ? state.units.slice(0, MAX_LOG_STREAMS).map((u) => u.name) : unit ? [unit.name] : [];
  let body;
  if (help) body = <HelpOverlay height={main} width={width} />;
  else if (view === 'detail' && unit) body = <DetailView client={client} unit={unit} events={state.events} usage={usage.get(unit.name)} width={width} height={main} now={now} />;
  else if (view === 'logs') {
    const title = logsAll ? `all units${state.units.length > MAX_LOG_STREAMS ? ` (first ${MAX_LOG_STREAMS})` : ''}` : unit?.name ?? 'no unit selected';
    body = <LogsView client={client} units={logUnits} title={title} filter={textFilter} paused={paused} scroll={scroll} width={width} height={main} />;
  } else if (view === 'events') body = <EventsView events={state.events} filter={textFilter} scroll={scroll} paused={paused} width={width} height={main} />;
  else if (view === 'images') body = <ImagesView client={client} height={main} now={now} refresh={refresh} />;
  else if (view === 'jobs') body = <JobsView client={client} height={main} refresh={refresh} />;
  else if (view === 'systemd') body = <SystemdView state={host} units={hostUnits} filter={textFilter} selected={hostSelected} offset={hostOffset} rows={hostRows} width={width} now={now} />;
  else {
    const empty = state.connection !== 'live' && !state.units.length ? 'waiting for the agent…' : unitFilter ? `no unit matches "${unitFilter}" (esc clears)` : 'no units: apply a unit folder (berth apply DIR)';
    body = (
      <Box flexDirection="column">
        <UnitTable units={units} columns={cols} usage={usage} selected={selected} offset={offset} height={tableRows} now={now} emptyText={empty} note={unitFilter ? `filter "${unitFilter}": ${units.length} of ${state.units.length} units (esc clears)` : undefined} />
        {split && unit ? <DetailView client={client} unit={unit} events={state.events} usage={usage.get(unit.name)} width={width} height={14} now={now} /> : null}
      </Box>
    );
  }
  const shownEditing = editing ? { label: editing.label, text: editing.text } : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Header feed={state} address={address} now={now} width={width} />
      <Box flexDirection="column" height={main} overflow="hidden">{body}</Box>
      <StatusLine view={view} status={status} confirm={confirm?.question} editing={shownEditing} width={width} />
    </Box>
  );
}
