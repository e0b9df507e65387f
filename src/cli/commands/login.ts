/**
 * `berth login REGISTRY -u USER [--password-stdin]`: checks the credentials
 * against the registry, then stores them in `<root>/auth.json` (mode 0600).
 * Without --password-stdin the password is asked for on the terminal.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const c of process.stdin) text += c;
  return text.replace(/\r?\n$/, '');
}

async function promptHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith(question)) process.stderr.write(question);
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

/** Registers the `login` verb. */
export function register(program: Command): void {
  program
    .command('login')
    .description('log in to a registry (credentials are checked, then stored in <root>/auth.json, mode 0600)')
    .argument('<registry>', 'registry host, e.g. registry.example.com or 127.0.0.1:5000')
    .requiredOption('-u, --username <user>', 'user name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--insecure', 'the registry serves plain http (or list it in BERTH_INSECURE_REGISTRIES)')
    .action(async (registry: string, opts: { username: string; passwordStdin?: boolean; insecure?: boolean }, cmd: Command) => {
      const { root } = readGlobals(cmd);
      const { BerthError } = await import('../../errors.js');
      let password: string;
      if (opts.passwordStdin) password = await readStdin();
      else if (process.stdin.isTTY) password = await promptHidden('Password: ');
      else throw new BerthError('E_USAGE', 'no password: standard input is not a terminal', { hint: `echo PASSWORD | berth login ${registry} -u ${opts.username} --password-stdin` });
      const { loginRegistry } = await import('../../image/registry/login-registry.js');
      const res = await loginRegistry(registry, { username: opts.username, password }, { root, insecure: opts.insecure });
      process.stdout.write(`Login succeeded: ${res.host}${res.auth === 'none' ? ' (the registry did not ask for credentials; stored anyway)' : ''}\n`);
    });
}
