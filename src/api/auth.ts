/**
 * Bearer tokens for the TCP listener. The token is made at the first start
 * (32 random bytes, hex) and kept in `<root>/api-token` with mode 0600.
 * There is no TCP listener without one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Path of the token file. */
export function tokenPath(root: string): string {
  return join(root, 'api-token');
}

/** Reads the token, creating it (0600) when missing. */
export function ensureToken(root: string): string {
  const path = tokenPath(root);
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return readFileSync(path, 'utf8').trim();
  }
  mkdirSync(dirname(path), { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}

/** True when an Authorization header carries exactly `token` (constant-time compare). */
export function checkBearer(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
