/**
 * How errors leave the API: always JSON `{ code, message, hint?, … }` with
 * the code from src/errors.ts, and an HTTP status derived from the code.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError, ConfigError } from '../errors.js';

const STATUS: Record<string, number> = {
  E_BAD_REQUEST: 400,
  E_UNAUTHORIZED: 401,
  E_UNIT_NOT_FOUND: 404,
  E_IMAGE_NOT_FOUND: 404,
  E_TAG_NOT_FOUND: 404,
  E_NOT_FOUND: 404,
  E_NOT_RUNNING: 409,
  E_NOT_PAUSED: 409,
  E_CONFLICT: 409,
  E_APPLY_INVALID: 422,
  E_ISOLATION_UNAVAILABLE: 422,
  E_NOT_IMPLEMENTED: 501,
  // systemd (src/systemd/systemd-errors.ts names them from D-Bus error names): the caller's fault is 4xx,
  // systemd refusing or failing is 5xx; anything else from systemd falls to 502 below
  E_SYSTEMD_BAD_NAME: 400,
  E_SYSTEMD_ACCESS_DENIED: 403,
  E_SYSTEMD_NO_SUCH_UNIT: 404,
  E_SYSTEMD_NO_SUCH_JOB: 404,
  E_SYSTEMD_UNIT_EXISTS: 409,
  E_SYSTEMD_EXISTS: 409,
  E_SYSTEMD_UNIT_MASKED: 409,
  E_SYSTEMD_NO_SUCH_PROCESS: 409,
  E_SYSTEMD_JOB_NOT_APPLICABLE: 409,
  E_SYSTEMD_DESTRUCTIVE: 409,
  E_SYSTEMD_LOAD_FAILED: 422,
  E_SYSTEMD_NOT_SUPPORTED: 501,
  E_SYSTEMD_TOO_OLD: 501,
  E_SYSTEMD_ABSENT: 503,
  E_DBUS_CONNECT: 503,
  E_SYSTEMD_DISCONNECTED: 503,
  E_SYSTEMD_SHUTTING_DOWN: 503,
  E_SYSTEMD_TIMEOUT: 504,
};

/** The HTTP status for an error code. */
export function statusOf(err: unknown): number {
  if (err instanceof ConfigError) return 422;
  if (err instanceof BerthError) return STATUS[err.code] ?? (err.code.startsWith('E_DRIVER') || err.code.startsWith('E_SYSTEMD') ? 502 : 500);
  return 500;
}

/** The JSON body for an error (a list of errors rides along for apply). */
export function errorBody(err: unknown): Record<string, unknown> {
  if (err instanceof BerthError) {
    const body = err.toJSON();
    const list = (err as { errors?: unknown[] }).errors;
    if (Array.isArray(list)) body.errors = list.map((e) => (e instanceof BerthError ? e.toJSON() : { message: String(e) }));
    return body;
  }
  return { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** Fastify error handler: request validation → 400 naming the field; BerthError → its status. */
export function replyWithError(err: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply): void {
  const fe = err as FastifyError;
  if (fe.validation) {
    const first = fe.validation[0];
    const field = first ? `${fe.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}` : fe.validationContext ?? 'body';
    const params = first?.params as { missingProperty?: string; allowedValues?: unknown[]; additionalProperty?: string } | undefined;
    const missing = params?.missingProperty ?? params?.additionalProperty;
    const allowed = params?.allowedValues ? ` (${params.allowedValues.join(', ')})` : '';
    const extra = params?.additionalProperty ? ` (${params.additionalProperty})` : '';
    void reply.status(400).send({
      code: 'E_BAD_REQUEST',
      message: `${missing ? `${field}.${missing}` : field}: ${first?.message ?? fe.message}${allowed}${extra}`,
      field: missing ? `${field}.${missing}` : field,
    });
    return;
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    void reply.status(fe.statusCode ?? 400).send({ code: 'E_BAD_REQUEST', message: `body: ${fe.message}`, field: 'body', hint: 'send a JSON object with content-type: application/json' });
    return;
  }
  if (fe.statusCode && fe.statusCode < 500 && !(err instanceof BerthError)) {
    void reply.status(fe.statusCode).send({ code: fe.statusCode === 404 ? 'E_NOT_FOUND' : 'E_BAD_REQUEST', message: fe.message });
    return;
  }
  void reply.status(statusOf(err)).send(errorBody(err));
}
