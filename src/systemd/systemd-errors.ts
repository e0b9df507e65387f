/**
 * D-Bus error replies from systemd → BerthError, matched on the error's
 * D-Bus name (never its text), each with a code and a hint a user can act on.
 */
import { BerthError } from '../errors.js';
import { DbusRemoteError } from './dbus-transport.js';

/** A systemd call that failed; `dbusName` is the D-Bus error name, for callers that branch on it. */
export class SystemdError extends BerthError {
  constructor(code: string, message: string, readonly dbusName: string, hint?: string, cause?: unknown) {
    super(code, message, { ...(hint ? { hint } : {}), cause });
    this.name = 'SystemdError';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), dbusName: this.dbusName };
  }
}

const KNOWN: Record<string, { code: string; hint?: string }> = {
  'org.freedesktop.systemd1.NoSuchUnit': { code: 'E_SYSTEMD_NO_SUCH_UNIT', hint: 'list units with `berth systemd ls`' },
  'org.freedesktop.systemd1.LoadFailed': { code: 'E_SYSTEMD_LOAD_FAILED', hint: 'check the unit file with `systemd-analyze verify`' },
  'org.freedesktop.systemd1.UnitExists': { code: 'E_SYSTEMD_UNIT_EXISTS', hint: 'a unit of that name is still loaded: stop it or reset-failed it first' },
  'org.freedesktop.systemd1.UnitMasked': { code: 'E_SYSTEMD_UNIT_MASKED', hint: 'unmask it with `systemctl unmask`' },
  'org.freedesktop.systemd1.NoSuchJob': { code: 'E_SYSTEMD_NO_SUCH_JOB' },
  'org.freedesktop.systemd1.NoSuchProcess': { code: 'E_SYSTEMD_NO_SUCH_PROCESS', hint: 'the unit has no process to signal (it is not running)' },
  'org.freedesktop.systemd1.JobTypeNotApplicable': { code: 'E_SYSTEMD_JOB_NOT_APPLICABLE' },
  'org.freedesktop.systemd1.TransactionIsDestructive': { code: 'E_SYSTEMD_DESTRUCTIVE', hint: 'another job conflicts; retry, or use mode replace' },
  'org.freedesktop.systemd1.ShuttingDown': { code: 'E_SYSTEMD_SHUTTING_DOWN', hint: 'the manager is shutting down' },
  'org.freedesktop.DBus.Error.AccessDenied': { code: 'E_SYSTEMD_ACCESS_DENIED', hint: 'run as root (or allow it with polkit)' },
  'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired': { code: 'E_SYSTEMD_ACCESS_DENIED', hint: 'run as root (or allow it with polkit)' },
  'org.freedesktop.DBus.Error.NotSupported': { code: 'E_SYSTEMD_NOT_SUPPORTED' },
  'org.freedesktop.DBus.Error.InvalidArgs': { code: 'E_SYSTEMD_INVALID_ARGS', hint: 'systemd rejected a property; this systemd may be too old for it' },
  'org.freedesktop.DBus.Error.PropertyReadOnly': { code: 'E_SYSTEMD_INVALID_ARGS' },
  'org.freedesktop.DBus.Error.UnknownMethod': { code: 'E_SYSTEMD_TOO_OLD', hint: 'this systemd does not have that method; upgrade systemd' },
  'org.freedesktop.DBus.Error.UnknownObject': { code: 'E_SYSTEMD_NO_SUCH_UNIT' },
  'org.freedesktop.DBus.Error.ServiceUnknown': { code: 'E_SYSTEMD_ABSENT', hint: 'no systemd on this bus: is systemd PID 1 (or the manager under test) running?' },
  'org.freedesktop.DBus.Error.NameHasNoOwner': { code: 'E_SYSTEMD_ABSENT', hint: 'no systemd on this bus: is systemd PID 1 (or the manager under test) running?' },
  'org.freedesktop.DBus.Error.NoReply': { code: 'E_SYSTEMD_TIMEOUT', hint: 'systemd did not answer in time; it may be busy or hung' },
  'org.freedesktop.DBus.Error.Timeout': { code: 'E_SYSTEMD_TIMEOUT', hint: 'systemd did not answer in time; it may be busy or hung' },
};

/** Wraps an error from a systemd call: D-Bus errors by name, anything else as E_SYSTEMD. */
export function toSystemdError(err: unknown, what: string): BerthError {
  if (err instanceof BerthError) return err;
  if (err instanceof DbusRemoteError) {
    const known = KNOWN[err.dbusName];
    return new SystemdError(known?.code ?? 'E_SYSTEMD', `${what}: ${err.message}`, err.dbusName, known?.hint, err);
  }
  return new SystemdError('E_SYSTEMD', `${what}: ${(err as Error)?.message ?? String(err)}`, '', undefined, err);
}

/** True when `err` is a systemd error with this code. */
export function isSystemdError(err: unknown, code: string): err is SystemdError {
  return err instanceof SystemdError && err.code === code;
}
