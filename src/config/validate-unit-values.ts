/**
 * Value rules for one unit: what a pattern cannot say (port ranges, IP
 * addresses, subnets, cron expressions, time zones, duplicate mount points,
 * paths that leave the unit folder). Reads the raw document defensively, so
 * it runs beside the schema check; a value the schema already rejects is
 * skipped here, never reported twice.
 */
import { isIPv4 } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import type { ConfigError } from '../errors.js';
import { errorAt, type UnitSource } from './error-at.js';
import { isDuration, parseDuration } from './parse-duration.js';
import { parsePort } from './parse-port.js';
import { SUBNET_SHAPE } from './unit-validator.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const escapes = (p: string): boolean => p.startsWith('/') || p.split(/[\\/]/).includes('..');

function checkCron(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (!cron.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) return `has ${fields.length} fields, needs 5 (or 6 with seconds)`;
  try {
    CronExpressionParser.parse(cron);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkSubnet(subnet: string): string | undefined {
  const [ip, bits] = subnet.split('/');
  if (!ip || !isIPv4(ip)) return `\`${ip}\` is not an IPv4 address`;
  if (Number(bits) > 30 || Number(bits) < 8) return `prefix /${bits} must be between /8 and /30`;
  return undefined;
}

function networkValues(unit: Obj, src: UnitSource, out: ConfigError[]): void {
  list(obj(unit.network).ports).forEach((p, i) => {
    const text = str(p);
    const r = text === undefined ? undefined : parsePort(text);
    // a text that is not shaped like a port mapping is the schema's to report
    if (r && 'error' in r && !r.error.startsWith('not ')) {
      out.push(errorAt(src, 'E_PORT', `port mapping \`${text}\`: ${r.error}`, ['network', 'ports', i], 'value', 'use [IP:]HOST:CONTAINER[/tcp|udp], e.g. 8080:80'));
    }
  });
  const tcp = str(obj(unit.health).tcp);
  if (tcp !== undefined && /^[^:]+:[0-9]{1,5}$/.test(tcp)) {
    const port = Number(tcp.slice(tcp.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) out.push(errorAt(src, 'E_PORT', `port ${port} is out of range 1-65535`, ['health', 'tcp']));
  }
  const subnet = str(unit.subnet);
  if (subnet !== undefined && SUBNET_SHAPE.test(subnet)) {
    const why = checkSubnet(subnet);
    if (why) out.push(errorAt(src, 'E_SUBNET', `subnet \`${subnet}\`: ${why}`, ['subnet'], 'value', 'use e.g. 10.89.0.0/24'));
  }
}

function scheduleValues(unit: Obj, src: UnitSource, out: ConfigError[]): void {
  const schedule = obj(unit.schedule);
  const cron = str(schedule.cron);
  const why = cron ? checkCron(cron) : undefined;
  if (why) out.push(errorAt(src, 'E_CRON', `\`${cron}\` is not a cron expression: ${why}`, ['schedule', 'cron'], 'value', 'use e.g. "*/5 * * * *" (minute hour day month weekday)'));
  const tz = str(schedule.timezone);
  if (tz !== undefined && !validTimezone(tz)) out.push(errorAt(src, 'E_TIMEZONE', `\`${tz}\` is not a time zone`, ['schedule', 'timezone'], 'value', 'use an IANA name, e.g. Europe/Berlin or UTC'));
  const restart = obj(unit.restart);
  const [delay, max] = [str(restart.delay), str(restart.max_delay)];
  if (delay && max && isDuration(delay) && isDuration(max) && parseDuration(max) < parseDuration(delay)) {
    out.push(errorAt(src, 'E_RANGE', `\`max_delay\` (${max}) is shorter than \`delay\` (${delay})`, ['restart', 'max_delay']));
  }
}

function pathValues(unit: Obj, src: UnitSource, out: ConfigError[]): void {
  const mounts = new Map<string, number>();
  list(unit.volumes).forEach((v, i) => {
    const path = str(obj(v).path);
    if (path === undefined) return;
    const first = mounts.get(path);
    if (first !== undefined) out.push(errorAt(src, 'E_DUPLICATE_MOUNT', `\`${path}\` is already mounted by \`volumes[${first}]\``, ['volumes', i, 'path']));
    else mounts.set(path, i);
  });
  const dests = new Map<string, number>();
  list(unit.templates).forEach((t, i) => {
    const from = str(obj(t).src);
    if (from && escapes(from)) out.push(errorAt(src, 'E_PATH', `template \`${from}\` is outside the unit's folder`, ['templates', i, 'src'], 'value', "templates are read only from the unit file's folder: use a relative path without .."));
    const dest = str(obj(t).dest);
    if (dest === undefined) return;
    const first = dests.get(dest);
    if (first !== undefined) out.push(errorAt(src, 'E_DUPLICATE_DEST', `\`${dest}\` is already written by \`templates[${first}]\``, ['templates', i, 'dest']));
    else dests.set(dest, i);
  });
  for (const [key, s] of Object.entries(obj(unit.secrets))) {
    const file = str(obj(s).file);
    if (file && escapes(file)) out.push(errorAt(src, 'E_PATH', `secret file \`${file}\` is outside the secrets folder`, ['secrets', key, 'file'], 'value', 'name a file inside the secrets folder, without .. or a leading /'));
  }
}

/** Value rules for one unit document (raw data, any shape). */
export function checkUnitValues(unit: Obj, src: UnitSource): ConfigError[] {
  const out: ConfigError[] = [];
  networkValues(unit, src, out);
  scheduleValues(unit, src, out);
  pathValues(unit, src, out);
  return out;
}
