/**
 * The `berth` command line. Each verb lives in `commands/<verb>.ts` and
 * exports `register(program)`; this file only sets the global options,
 * discovers the verbs and turns errors into one clear line and an exit code
 * (0 ok, 1 error, 2 usage).
 */
import { readdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { formatError } from '../errors.js';
import { VERSION } from '../version.js';
import { verbFileFor } from './verb-table.js';

/** The signature every `commands/<verb>.ts` default-exports. */
export type RegisterCommand = (program: Command) => void;

/** The root command with the global options and no verbs yet. */
function newProgram(): Command {
  return new Command('berth')
    .description('Declare units in YAML; berth runs and supervises them as containers, VMs, processes or systemd services.')
    .version(VERSION, '-V, --version')
    .option('--root <dir>', 'state directory (env BERTH_ROOT)', process.env.BERTH_ROOT ?? '/var/lib/berth')
    .option('-H, --host <url>', 'agent address: unix:///path or tcp://HOST:PORT (env BERTH_HOST)', process.env.BERTH_HOST ?? 'unix:///run/berth/berth.sock')
    .option('--token <token>', 'bearer token for a TCP agent (env BERTH_TOKEN)', process.env.BERTH_TOKEN)
    .option('--tls-ca <file>', 'CA certificate to trust for https agents (env BERTH_TLS_CA)', process.env.BERTH_TLS_CA)
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true })
    .exitOverride();
}

const COMMANDS = new URL('./commands/', import.meta.url);

async function registerFile(program: Command, file: string): Promise<void> {
  const mod = (await import(new URL(file, COMMANDS).href)) as { register?: RegisterCommand };
  mod.register?.(program);
}

/**
 * The program for a command line. Only the chosen verb's file is imported
 * (start-up time); help, completion, no verb or an unknown one load every file.
 */
async function buildProgram(argv: string[]): Promise<Command> {
  const first = newProgram();
  const valueFlags = new Set(first.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)));
  const chosen = verbFileFor(argv.slice(2), valueFlags);
  if (chosen) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    await registerFile(first, `${chosen.file}${ext}`).catch(() => undefined);
    if (first.commands.some((c) => c.name() === chosen.verb || c.aliases().includes(chosen.verb))) return first;
  }
  // no verb, a whole-tree verb, or a stale table entry: every file
  const program = chosen ? newProgram() : first;
  const files = readdirSync(COMMANDS).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map')).sort();
  for (const file of files) await registerFile(program, file);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    process.stderr.write(`berth: ${formatError(err)}\n`);
    if (process.env.BERTH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
