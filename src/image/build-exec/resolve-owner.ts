/**
 * `--chown=USER[:GROUP]` and WORKDIR's USER → numeric ids, looked up in the
 * image's own /etc/passwd and /etc/group (never the host's). Pure over the
 * two files' text.
 */
import { BerthError } from '../../errors.js';

/** Numeric owner of copied files. */
export interface Owner {
  uid: number;
  gid: number;
}

function lookup(text: string, name: string): string[] | undefined {
  return text.split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
}

/** Resolves `spec` (`''` is root). A user without a group gets its primary group (or its uid when unknown). */
export function resolveOwner(spec: string, passwd: string, group: string): Owner {
  if (spec === '') return { uid: 0, gid: 0 };
  const [u, g] = spec.split(':') as [string, string | undefined];
  let uid: number;
  let primary: number | undefined;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const row = passwd.split('\n').map((l) => l.split(':')).find((f) => f[2] === u);
    if (row?.[3] !== undefined && /^\d+$/.test(row[3])) primary = Number(row[3]);
  } else {
    const row = lookup(passwd, u);
    if (!row || !/^\d+$/.test(row[2] ?? '')) throw new BerthError('E_BUILD_USER', `user "${u}" is not in the image's /etc/passwd`, { hint: 'use a numeric uid, or create the user in an earlier RUN' });
    uid = Number(row[2]);
    primary = Number(row[3]);
  }
  let gid: number;
  if (g === undefined || g === '') gid = primary ?? uid;
  else if (/^\d+$/.test(g)) gid = Number(g);
  else {
    const row = lookup(group, g);
    if (!row || !/^\d+$/.test(row[2] ?? '')) throw new BerthError('E_BUILD_USER', `group "${g}" is not in the image's /etc/group`, { hint: 'use a numeric gid, or create the group in an earlier RUN' });
    gid = Number(row[2]);
  }
  return { uid, gid };
}
