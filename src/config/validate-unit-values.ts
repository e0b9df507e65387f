/**
 * Value rules for one schema-valid unit: what a pattern cannot say (port
 * ranges, IP addresses, subnets, cron expressions, time zones, duplicate
 * mount points, paths that leave the unit folder).
 */
import { isIPv4 } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import type { ConfigError } from '../errors.js';
import { errorAt, type UnitSource } from './error-at.js';
import { parseDuration } from './parse-duration.js';
import { parsePort } from './parse-port.js';
import type { UnitFile } from './unit-schema.js';

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

/** Value rules for one unit of the right shape. */
export function checkUnitValues(unit: UnitFile, src: UnitSource): ConfigError[] {
  const out: ConfigError[] = [];
  unit.network?.ports?.forEach((p, i) => {
    const r = parsePort(p);
    if ('error' in r) out.push(errorAt(src, 'E_PORT', `port mapping \`${p}\`: ${r.error}`, ['network', 'ports', i], 'value', 'use [IP:]HOST:CONTAINER[/tcp|udp], e.g. 8080:80'));
  });
  const tcp = unit.health?.tcp;
  if (tcp !== undefined) {
    const port = Number(tcp.slice(tcp.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) out.push(errorAt(src, 'E_PORT', `port ${port} is out of range 1-65535`, ['health', 'tcp']));
  }
  if (unit.subnet !== undefined) {
    const why = checkSubnet(unit.subnet);
    if (why) out.push(errorAt(src, 'E_SUBNET', `subnet \`${unit.subnet}\`: ${why}`, ['subnet'], 'value', 'use e.g. 10.89.0.0/24'));
  }
  if (unit.schedule) {
    const why = checkCron(unit.schedule.cron);
    if (why) out.push(errorAt(src, 'E_CRON', `\`${unit.schedule.cron}\` is not a cron expression: ${why}`, ['schedule', 'cron'], 'value', 'use e.g. "*/5 * * * *" (minute hour day month weekday)'));
    const tz = unit.schedule.timezone;
    if (tz !== undefined && !validTimezone(tz)) out.push(errorAt(src, 'E_TIMEZONE', `\`${tz}\` is not a time zone`, ['schedule', 'timezone'], 'value', 'use an IANA name, e.g. Europe/Berlin or UTC'));
  }
  const r = unit.restart;
  if (r?.delay && r.max_delay && parseDuration(r.max_delay) < parseDuration(r.delay)) {
    out.push(errorAt(src, 'E_RANGE', `\`max_delay\` (${r.max_delay}) is shorter than \`delay\` (${r.delay})`, ['restart', 'max_delay']));
  }
  const mounts = new Map<string, number>();
  unit.volumes?.forEach((v, i) => {
    const first = mounts.get(v.path);
    if (first !== undefined) out.push(errorAt(src, 'E_DUPLICATE_MOUNT', `\`${v.path}\` is already mounted by \`volumes[${first}]\``, ['volumes', i, 'path']));
    else mounts.set(v.path, i);
  });
  const dests = new Map<string, number>();
  unit.templates?.forEach((t, i) => {
    if (escapes(t.src)) out.push(errorAt(src, 'E_PATH', `template \`${t.src}\` is outside the unit's folder`, ['templates', i, 'src'], 'value', "templates are read only from the unit file's folder: use a relative path without .."));
    const first = dests.get(t.dest);
    if (first !== undefined) out.push(errorAt(src, 'E_DUPLICATE_DEST', `\`${t.dest}\` is already written by \`templates[${first}]\``, ['templates', i, 'dest']));
    else dests.set(t.dest, i);
  });
  for (const [key, s] of Object.entries(unit.secrets ?? {})) {
    if (s.file !== undefined && escapes(s.file)) out.push(errorAt(src, 'E_PATH', `secret file \`${s.file}\` is outside the secrets folder`, ['secrets', key, 'file'], 'value', 'name a file inside the secrets folder, without .. or a leading /'));
  }
  return out;
}
