/**
 * DbusTransport over dbus-next 0.10 — the only file in berth that imports
 * dbus-next. It uses the low-level message API (no introspection, no proxy
 * objects): a call is one message out, one reply in.
 */
import dbus from 'dbus-next';
import { BerthError } from '../errors.js';
import { DbusRemoteError, DbusVariant, type DbusCall, type DbusSignal, type DbusTransport } from './dbus-transport.js';

/** How long a call waits for its reply (libdbus's default is 25 s). */
const CALL_TIMEOUT_MS = 25_000;

/** Connects to `address` (e.g. `unix:path=/run/dbus/system_bus_socket`) and says Hello. */
export async function openDbusNextTransport(address: string): Promise<DbusTransport> {
  const bus = dbus.sessionBus({ busAddress: address });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(new BerthError('E_DBUS_CONNECT', `cannot connect to D-Bus at ${address}: ${(err as Error)?.message ?? String(err)}`, {
      hint: 'is dbus running and is the address right? (the system bus is unix:path=/run/dbus/system_bus_socket; set BERTH_SYSTEMD_BUS to use another)',
      cause: err,
    }));
    bus.once('connect', () => { bus.removeListener('error', fail); resolve(); });
    bus.once('error', fail);
  });
  const listeners = new Set<(s: DbusSignal) => void>();
  let closed = false;
  let onClose: ((err: Error) => void) | undefined;
  bus.on('message', (msg: dbus.Message) => {
    if (msg.type !== dbus.MessageType.SIGNAL) return;
    const signal: DbusSignal = { path: msg.path, interface: msg.interface, member: msg.member, sender: msg.sender, body: msg.body.map(fromWire) };
    for (const l of listeners) l(signal);
  });
  const lost = (err: Error) => { if (!closed) { closed = true; onClose?.(err); } };
  bus.on('error', lost);
  // the bus does not forward its stream's end (the daemon went away): listen on its connection (private in 0.10)
  (bus as unknown as { _connection?: NodeJS.EventEmitter })._connection?.on('end', () => lost(new Error(`the bus at ${address} closed the connection`)));
  const transport: DbusTransport = {
    async call(c: DbusCall) {
      const msg = new dbus.Message({
        destination: c.destination, path: c.path, interface: c.interface, member: c.member,
        ...(c.signature ? { signature: c.signature, body: (c.body ?? []).map(toWire) } : {}),
      });
      // dbus-next never fails a call whose reply does not come (e.g. the bus went away): time it out as libdbus does
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DbusRemoteError('org.freedesktop.DBus.Error.NoReply', `no reply to ${c.member} in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      });
      try {
        const reply = await Promise.race([bus.call(msg), timeout]);
        return (reply?.body ?? []).map(fromWire);
      } catch (err) {
        if (err instanceof dbus.DBusError) throw new DbusRemoteError(err.type, err.text);
        throw err;
      } finally { clearTimeout(timer); }
    },
    async addMatch(rule: string) {
      await transport.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] });
    },
    onSignal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(listener) { onClose = listener; },
    close() {
      closed = true;
      listeners.clear();
      bus.disconnect();
    },
  };
  return transport;
}

/** Our DbusVariant → dbus-next's Variant, anywhere in a value. */
function toWire(v: unknown): unknown {
  if (v instanceof DbusVariant) return new dbus.Variant(v.signature, toWire(v.value));
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object' && !(v instanceof Buffer)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}

/** dbus-next's Variant → its plain value, anywhere in a value. */
function fromWire(v: unknown): unknown {
  if (v instanceof dbus.Variant) return fromWire(v.value);
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object' && !(v instanceof Buffer)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]));
  return v;
}
