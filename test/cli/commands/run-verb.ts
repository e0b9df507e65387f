/** Runs one CLI verb in this process with --root, capturing stdout, stderr and the exit code. */
import { Command } from 'commander';

type Register = (program: Command) => void;

/** `berth --root ROOT ARGS…` with only `register` loaded. */
export async function runVerb(register: Register, root: string, ...args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  // no agent answers at this address, so verbs that prefer the agent fall back to local files
  const program = new Command('berth').exitOverride().option('--root <dir>').option('-H, --host <url>', 'agent', `unix://${root}/no-agent.sock`);
  register(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += String(c)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'berth', '--root', root, ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const status = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { stdout, stderr, status };
}
