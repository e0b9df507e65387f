/**
 * The root filesystem of the built-in `debian:bookworm` image, made with
 * `debootstrap --variant=minbase` from the Debian mirror the host's apt is
 * configured with (deb822 `debian.sources` or a classic sources.list).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';

/** The first mirror URI for `suite` in deb822 or one-line apt sources text (pure). */
export function mirrorFromSources(text: string, suite = 'bookworm'): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/);
    const uris = field('URIs');
    const suites = field('Suites');
    if (uris?.[0] && suites?.includes(suite)) return uris[0];
  }
  for (const line of text.split('\n')) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m && m[2] === suite) return m[1];
  }
  return undefined;
}

/** The host's configured Debian mirror for `suite`. */
export async function hostDebianMirror(suite = 'bookworm'): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const mirror = mirrorFromSources(text, suite);
    if (mirror) return mirror;
  }
  throw new BerthError('E_BASE_IMAGE', `no Debian mirror for ${suite} in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list`, {
    hint: 'configure apt with a Debian mirror, or load a debian image with `berth load -i FILE`',
  });
}

/** Runs debootstrap into the empty dir `root`; output goes to `onLine`. Undoes its mounts on failure. */
export async function makeDebianRootfs(root: string, suite: string, mirror: string, onLine: (line: string) => void = () => undefined): Promise<void> {
  const args = ['--variant=minbase', suite, root, mirror];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('debootstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (d: Buffer) => {
      tail += d.toString();
      const lines = tail.split('\n');
      tail = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => reject(new BerthError('E_BASE_IMAGE', `cannot run debootstrap: ${err.message}`, { hint: 'apt-get install debootstrap (scripts/setup installs it)' })));
    child.on('close', resolve);
  });
  if (code !== 0) {
    await new Promise((r) => spawn('sh', ['-c', `grep -o " ${root}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]).on('close', r));
    throw new BerthError('E_BASE_IMAGE', `debootstrap ${args.join(' ')} failed (exit ${code})`, {
      hint: `check that ${mirror} is reachable; the log is in ${root}/debootstrap/debootstrap.log until the temp dir is cleaned`,
    });
  }
}
