/**
 * What `apply` and `plan` send: the folder's path for a local agent, or its
 * files for a remote one (the agent unpacks them under its state dir).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BerthError, formatError } from '../errors.js';

const MAX_FILES = 2000;
const MAX_BYTES = 32 * 1024 * 1024;

/** `{dir}` for a unix-socket agent, `{files}` for a TCP one. */
export async function folderPayload(dir: string, host: string): Promise<{ dir: string } | { files: { path: string; content: string; mode: number }[] }> {
  const abs = resolve(dir);
  try {
    if (!statSync(abs).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new BerthError('E_NO_UNIT_DIR', `${dir} is not a folder`, { hint: 'give the unit folder, e.g. berth apply units/' });
  }
  if (host.startsWith('unix://')) return { dir: abs };
  const files: { path: string; content: string; mode: number }[] = [];
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.git') || name === 'node_modules') continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        bytes += st.size;
        if (files.length >= MAX_FILES || bytes > MAX_BYTES) throw new BerthError('E_UPLOAD_TOO_BIG', `${dir} is too big to upload (limit ${MAX_FILES} files, 32 MiB)`, { hint: 'keep large data out of the unit folder (use volumes)' });
        files.push({ path: relative(abs, p), content: readFileSync(p, 'utf8'), mode: st.mode & 0o777 });
      }
    }
  };
  walk(abs);
  return { files };
}

/** Prints an apply/plan error list the way `berth validate` does; false when `err` is not one. */
export function printApiErrors(err: unknown, json = false): boolean {
  const list = (err as { errors?: { message: string; file?: string; line?: number; column?: number; path?: string; hint?: string }[] }).errors;
  if (!(err instanceof BerthError) || !Array.isArray(list)) return false;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, errors: list }, null, 2)}\n`);
    return true;
  }
  for (const e of list) {
    const where = e.file ? `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}` : '';
    process.stderr.write(`${where}${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}\n`);
  }
  process.stderr.write(`${formatError(err)}\n`);
  return true;
}
