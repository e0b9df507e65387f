/**
 * The seam between berth and a D-Bus library. Everything in src/systemd
 * talks to a bus through this small interface; exactly one file
 * (dbus-next-transport.ts) implements it with dbus-next, so the library can
 * be replaced (dbus-next is unmaintained) without touching the rest.
 *
 * Values cross the seam as plain JS: arrays, objects for `a{…}`, bigint for
 * 64-bit integers, and `DbusVariant` where a `v` is sent. Variants received
 * are unwrapped to their values.
 */

/** A value to send as a D-Bus variant (`v`): its signature and its value. */
export class DbusVariant {
  constructor(readonly signature: string, readonly value: unknown) {}
}

/** One method call. */
export interface DbusCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

/** One signal received. */
export interface DbusSignal {
  path: string;
  interface: string;
  member: string;
  sender: string;
  body: unknown[];
}

/** An error reply from the peer, kept by its D-Bus name (match on `dbusName`, never on text). */
export class DbusRemoteError extends Error {
  constructor(readonly dbusName: string, text: string) {
    super(text || dbusName);
    this.name = 'DbusRemoteError';
  }
}

/** A connection to one bus. */
export interface DbusTransport {
  /** Calls a method; resolves to the reply's body, rejects with DbusRemoteError on an error reply. */
  call(call: DbusCall): Promise<unknown[]>;
  /** Asks the bus daemon to route signals matching `rule` to us (org.freedesktop.DBus.AddMatch). */
  addMatch(rule: string): Promise<void>;
  /** Listens to every signal that reaches this connection; returns an unsubscribe function. */
  onSignal(listener: (signal: DbusSignal) => void): () => void;
  /** Called once when the connection is lost (not after close()). */
  onClose(listener: (err: Error) => void): void;
  close(): void;
}

/** Opens a transport to a bus address (`unix:path=…`). */
export type OpenTransport = (address: string) => Promise<DbusTransport>;
