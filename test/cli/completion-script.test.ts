/**
 * `berth completion bash|zsh`: scripts generated from the command tree,
 * run in the real shells: verbs, subcommands (after global options) and
 * flags complete; an unknown shell is a usage error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import { bashCompletion, completionTable, zshCompletion } from '../../src/cli/completion-script.js';
import { requireTool } from '../helpers/require-tool.js';
import { runBerth } from '../helpers/agent-process.js';

const dir = mkdtempSync(join(tmpdir(), 'bt-completion-'));
let bash = '';
let zsh = '';

/** Completions bash offers for a command line (the last word is being completed). */
function bashComplete(words: string[]): string[] {
  const script = `source ${join(dir, 'c.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _berth; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Completions zsh offers: compadd/_files/compdef stubbed to print what they get. */
function zshComplete(words: string[]): string[] {
  const script = `compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; printf '%s\\n' "$@"; }; _files() { :; }
source ${join(dir, 'c.zsh')}; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _berth`;
  return execFileSync('zsh', ['-f', '-c', script], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean).filter((w) => w.startsWith(words[words.length - 1]!));
}

test.before(async () => {
  requireTool('bash');
  requireTool('zsh', 'apt-get install zsh (scripts/setup lists it)');
  const [b, z, bad] = await Promise.all([runBerth(['completion', 'bash']), runBerth(['completion', 'zsh']), runBerth(['completion', 'fish'])]);
  assert.is(b.code, 0, b.stderr);
  assert.is(z.code, 0, z.stderr);
  assert.is(bad.code, 2, 'an unknown shell is a usage error');
  bash = b.stdout;
  zsh = z.stdout;
  writeFileSync(join(dir, 'c.bash'), bash);
  writeFileSync(join(dir, 'c.zsh'), zsh);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the table walks the tree: subcommands, aliases, flags, nested commands', () => {
  const p = new Command('tool').option('-H, --host <url>');
  p.command('ps').alias('status').option('-a, --all').option('--json');
  const img = p.command('image');
  img.command('ls').option('--digests');
  const t = completionTable(p);
  assert.equal(t.get('tool'), ['--help', '--host', '-H', 'help', 'image', 'ps', 'status'].sort());
  assert.equal(t.get('tool ps'), ['--all', '--help', '--json', '-a']);
  assert.equal(t.get('tool status'), t.get('tool ps'));
  assert.equal(t.get('tool image'), ['--help', 'help', 'ls']);
  assert.ok(t.get('tool image ls')!.includes('--digests'));
  assert.match(bashCompletion(t, 'tool'), /complete -o filenames -F _tool tool/);
  assert.match(zshCompletion(t, 'tool'), /^#compdef tool/);
});

test('bash: verbs, every registered verb, subcommands after global options, flags', () => {
  const verbs = bashComplete(['berth', '']);
  for (const v of ['ps', 'apply', 'agent', 'events', 'inspect', 'image', 'completion', 'logs']) assert.ok(verbs.includes(v), `verb ${v}`);
  assert.equal(bashComplete(['berth', 'in']), ['info', 'inspect']);
  assert.ok(bashComplete(['berth', '--root', '/x', 'image', '']).includes('ls'));
  assert.equal(bashComplete(['berth', 'ps', '--j']), ['--json']);
  assert.ok(bashComplete(['berth', 'agent', '--']).includes('--tls-cert'));
  assert.ok(bashComplete(['berth', '--']).includes('--tls-ca'));
});

test('zsh: the same words', () => {
  assert.equal(zshComplete(['berth', 'in']), ['info', 'inspect']);
  assert.equal(zshComplete(['berth', '-H', 'unix:///x', 'ps', '--j']), ['--json']);
  assert.ok(zshComplete(['berth', 'image', '']).includes('prune'));
});

test.run();
