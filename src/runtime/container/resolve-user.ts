/**
 * Resolves a unit's `user:` (`name`, `uid`, `name:group`, `uid:gid`) against
 * the container's own /etc/passwd and /etc/group, as Docker does: the image
 * decides what names mean, never the host.
 */

/** The numeric identity a container process runs as. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

/** Why a user could not be resolved. */
export type UserResult = { ok: true; user: ResolvedUser } | { ok: false; reason: string };

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' };
  });
}

function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
  });
}

const isId = (s: string) => /^\d+$/.test(s);

/**
 * `user` undefined or '' means root. A numeric uid needs no passwd entry
 * (its gid is then the entry's, or the uid's own number); a name must exist.
 */
export function resolveUser(user: string | undefined, passwdText: string, groupText: string): UserResult {
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const [userPart = '', groupPart] = (user ?? '').split(':');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '' || isId(userPart)) {
    uid = userPart === '' ? 0 : Number(userPart);
    const entry = passwd.find((e) => e.uid === uid);
    gid = entry?.gid ?? uid;
    home = entry?.home ?? '/';
    name = entry?.name;
  } else {
    const entry = passwd.find((e) => e.name === userPart);
    if (!entry) return { ok: false, reason: `user "${userPart}" not found in the image's /etc/passwd` };
    ({ uid, gid, home, name } = entry);
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isId(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) return { ok: false, reason: `group "${groupPart}" not found in the image's /etc/group` };
      gid = g.gid;
    }
  }
  const additionalGids = name === undefined ? [] : groups.filter((g) => g.members.includes(name!) && g.gid !== gid).map((g) => g.gid);
  return { ok: true, user: { uid, gid, additionalGids, home } };
}
