/**
 * Unit names ↔ D-Bus object paths (pure), as sd-bus escapes them:
 * `bt-1.service` ↔ `/org/freedesktop/systemd1/unit/bt_2d1_2eservice`.
 */

const PREFIX = '/org/freedesktop/systemd1/unit/';

/** The object path of a unit, without asking systemd (GetUnit loads nothing either way). */
export function unitPath(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const ok = /[A-Za-z0-9]/.test(c) && !(i === 0 && /[0-9]/.test(c));
    out += ok ? c : Buffer.from(c, 'utf8').toString('hex').replace(/(..)/g, '_$1');
  }
  return PREFIX + (out || '_');
}

/** The unit name of an object path, or undefined for paths that are not units. */
export function unitNameOfPath(path: string): string | undefined {
  if (!path.startsWith(PREFIX)) return undefined;
  const esc = path.slice(PREFIX.length);
  const bytes: number[] = [];
  for (let i = 0; i < esc.length; i++) {
    if (esc[i] === '_' && /^[0-9a-f]{2}$/.test(esc.slice(i + 1, i + 3))) { bytes.push(parseInt(esc.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(esc.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True for a name systemd accepts for a service we create: `[A-Za-z0-9:_.\\-]+.service`, ≤ 255 bytes. */
export function isValidUnitName(name: string): boolean {
  return /^[A-Za-z0-9:_.\\-]+\.(service|timer|scope|target|socket|slice|mount|path)$/.test(name) && Buffer.byteLength(name) <= 255;
}
