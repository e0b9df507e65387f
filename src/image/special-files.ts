/**
 * What Node cannot do itself: make device nodes and FIFOs (mknod) and read
 * or set the overlay xattrs (getfattr/setfattr from the `attr` package).
 * Each helper batches its work into one child process.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';

const execFileP = promisify(execFile);

/** A device node or FIFO to create. */
export interface SpecialNode {
  path: string;
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function runScript(script: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new BerthError('E_LAYER_UNPACK', `${what} failed: ${stderr.trim()}`, { hint: 'unpacking layers needs root (mknod, chown)' }));
    });
    child.stdin.end(script);
  });
}

/** Creates the nodes (mknod, chmod, chown) in one shell. */
export async function makeNodes(nodes: SpecialNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const lines = nodes.map((n) => {
    const p = shellQuote(n.path);
    const mk = n.kind === 'p' ? `mknod ${p} p` : `mknod ${p} ${n.kind} ${n.major} ${n.minor}`;
    return `rm -f ${p}; ${mk}; chown -h ${n.uid}:${n.gid} ${p}; chmod ${(n.mode & 0o7777).toString(8)} ${p}`;
  });
  await runScript(lines.join('\n') + '\n', 'making device nodes');
}

function escapeAttrPath(path: string): string {
  return path.replace(/[\\\n\r\0-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** Sets `trusted.overlay.opaque=y` on each directory (overlay's opaque-dir marker). */
export async function markOpaque(dirs: string[]): Promise<void> {
  if (dirs.length === 0) return;
  const dump = dirs.map((d) => `# file: ${escapeAttrPath(d)}\ntrusted.overlay.opaque="y"\n`).join('\n') + '\n';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('setfattr', ['--restore=-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new BerthError('E_TOOL_MISSING', `cannot run setfattr: ${err.message}`, { hint: 'install the attr package (scripts/setup)' })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BerthError('E_LAYER_UNPACK', `setfattr failed: ${stderr.trim()}`, { hint: 'overlay xattrs (trusted.*) need root' }))));
    child.stdin.end(dump);
  });
}

function unescapeAttrPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Absolute paths under `dir` (itself included) whose `trusted.overlay.opaque` is `y`. */
export async function findOpaqueDirs(dir: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileP('getfattr', ['-R', '-P', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--', dir], { maxBuffer: 64 << 20 }));
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string };
    if (e.code === 'ENOENT') throw new BerthError('E_TOOL_MISSING', 'getfattr is not installed', { hint: 'install the attr package (scripts/setup)' });
    // getfattr exits 1 when some files lack the attribute; its stdout still lists those that have it.
    stdout = e.stdout ?? '';
  }
  const out: string[] = [];
  let file: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeAttrPath(line.slice('# file: '.length));
    else if (file && line.startsWith('trusted.overlay.opaque=') && line.includes('"y"')) out.push(file);
  }
  return out;
}
