/**
 * Registry credentials in `<root>/auth.json`, in the containers-auth.json
 * format (`{"auths": {"host": {"auth": base64("user:pass")}}}`) so podman
 * and skopeo can read the same file with `--authfile`. Written atomically
 * with mode 0600: a crash never leaves half a file or a readable secret.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BerthError } from '../../errors.js';

/** A user name and password (or token) for one registry. */
export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths: Record<string, { auth?: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** The auth file under a berth state directory. */
export function authFilePath(root: string): string {
  return join(root, 'auth.json');
}

/** The key a registry is stored under: Docker Hub's aliases all become `docker.io`. */
export function authKey(host: string): string {
  const h = host.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
  return h === 'index.docker.io' || h === 'registry-1.docker.io' ? 'docker.io' : h;
}

async function readAuthFile(file: string): Promise<AuthFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { auths: {} };
    throw err;
  }
  try {
    const doc = JSON.parse(text) as AuthFile;
    if (!doc || typeof doc !== 'object' || typeof doc.auths !== 'object' || doc.auths === null) doc.auths = {};
    return doc;
  } catch (err) {
    throw new BerthError('E_AUTH_FILE', `${file} is not valid JSON`, { cause: err, hint: `fix or remove ${file}, then run berth login again` });
  }
}

async function writeAuthFile(file: string, doc: AuthFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(doc, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The stored credentials for `host`, or undefined when there are none. */
export async function loadCredentials(root: string, host: string): Promise<Credentials | undefined> {
  const file = authFilePath(root);
  const entry = (await readAuthFile(file)).auths[authKey(host)];
  if (!entry?.auth) return undefined;
  const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = plain.indexOf(':');
  if (i < 0) throw new BerthError('E_AUTH_FILE', `${file}: the entry for ${authKey(host)} is not base64(user:password)`, { hint: `run berth login ${host} again` });
  return { username: plain.slice(0, i), password: plain.slice(i + 1) };
}

/** Stores credentials for `host`, keeping other entries and fields as they were. */
export async function saveCredentials(root: string, host: string, creds: Credentials): Promise<void> {
  const file = authFilePath(root);
  const doc = await readAuthFile(file);
  doc.auths[authKey(host)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  await writeAuthFile(file, doc);
}

/** Removes the credentials for `host`; returns false when there were none. */
export async function removeCredentials(root: string, host: string): Promise<boolean> {
  const file = authFilePath(root);
  const doc = await readAuthFile(file);
  const key = authKey(host);
  if (!(key in doc.auths)) return false;
  delete doc.auths[key];
  await writeAuthFile(file, doc);
  return true;
}
