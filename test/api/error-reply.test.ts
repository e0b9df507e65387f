/**
 * Error codes → HTTP statuses, systemd's in particular: D-Bus error names
 * become E_SYSTEMD_* codes (src/systemd/systemd-errors.ts) and those become
 * 404/403/409/5xx, not a blanket 500. Checked on the status function and
 * through a real fastify app.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify from 'fastify';
import { errorBody, replyWithError, statusOf } from '../../src/api/error-reply.js';
import { BerthError } from '../../src/errors.js';
import { DbusRemoteError } from '../../src/systemd/dbus-transport.js';
import { toSystemdError } from '../../src/systemd/systemd-errors.js';

const fromDbus = (name: string) => toSystemdError(new DbusRemoteError(name, 'text systemd sent'), 'StartUnit nginx.service');

test('systemd errors by D-Bus name: the caller\'s mistakes are 4xx, systemd\'s trouble 5xx', () => {
  const table: [string, number][] = [
    ['org.freedesktop.systemd1.NoSuchUnit', 404],
    ['org.freedesktop.DBus.Error.UnknownObject', 404],
    ['org.freedesktop.DBus.Error.AccessDenied', 403],
    ['org.freedesktop.DBus.Error.InteractiveAuthorizationRequired', 403],
    ['org.freedesktop.systemd1.UnitMasked', 409],
    ['org.freedesktop.systemd1.UnitExists', 409],
    ['org.freedesktop.systemd1.JobTypeNotApplicable', 409],
    ['org.freedesktop.systemd1.TransactionIsDestructive', 409],
    ['org.freedesktop.systemd1.NoSuchProcess', 409],
    ['org.freedesktop.systemd1.LoadFailed', 422],
    ['org.freedesktop.DBus.Error.NotSupported', 501],
    ['org.freedesktop.DBus.Error.UnknownMethod', 501],
    ['org.freedesktop.DBus.Error.ServiceUnknown', 503],
    ['org.freedesktop.systemd1.ShuttingDown', 503],
    ['org.freedesktop.DBus.Error.NoReply', 504],
    ['org.example.SomethingElse', 502],
  ];
  for (const [name, status] of table) assert.is(statusOf(fromDbus(name)), status, name);
});

test('systemd errors raised by berth itself', () => {
  assert.is(statusOf(new BerthError('E_SYSTEMD_BAD_NAME', '"a b" is not a systemd unit name')), 400);
  assert.is(statusOf(new BerthError('E_SYSTEMD_JOB', "start x.service: systemd's job ended 'failed'")), 502);
  assert.is(statusOf(new BerthError('E_SYSTEMD_DISCONNECTED', 'lost the bus')), 503);
  assert.is(statusOf(new BerthError('E_DBUS_CONNECT', 'cannot connect to D-Bus at unix:path=/run/dbus/system_bus_socket')), 503);
  assert.is(statusOf(new BerthError('E_SYSTEMD_TIMEOUT', 'no answer')), 504);
  // other codes keep their statuses
  assert.is(statusOf(new BerthError('E_UNIT_NOT_FOUND', 'no unit')), 404);
  assert.is(statusOf(new BerthError('E_DRIVER_CRUN', 'crun failed')), 502);
  assert.is(statusOf(new BerthError('E_SOMETHING', 'x')), 500);
  assert.is(statusOf(new Error('plain')), 500);
});

test('through fastify: a missing systemd unit answers 404 with code, hint and the D-Bus name', async () => {
  const app = Fastify();
  app.setErrorHandler(replyWithError);
  app.get('/missing', async () => { throw fromDbus('org.freedesktop.systemd1.NoSuchUnit'); });
  app.get('/denied', async () => { throw fromDbus('org.freedesktop.DBus.Error.AccessDenied'); });
  try {
    const missing = await app.inject({ method: 'GET', url: '/missing' });
    assert.is(missing.statusCode, 404);
    const body = missing.json() as { code: string; message: string; hint?: string; dbusName?: string };
    assert.is(body.code, 'E_SYSTEMD_NO_SUCH_UNIT');
    assert.match(body.message, /StartUnit nginx\.service/);
    assert.ok(body.hint);
    assert.is(body.dbusName, 'org.freedesktop.systemd1.NoSuchUnit');
    const denied = await app.inject({ method: 'GET', url: '/denied' });
    assert.is(denied.statusCode, 403);
    assert.is((denied.json() as { code: string }).code, 'E_SYSTEMD_ACCESS_DENIED');
    assert.equal(errorBody(new Error('boom')), { code: 'E_INTERNAL', message: 'boom' });
  } finally {
    await app.close();
  }
});

test.run();
