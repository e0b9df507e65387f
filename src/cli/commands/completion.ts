/**
 * `berth completion bash|zsh`: prints a completion script generated from
 * the command tree (every verb, subcommand and flag).
 */
import { Argument, type Command } from 'commander';

/** Registers the `completion` verb. */
export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash: source <(berth completion bash))')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh', _opts: unknown, cmd: Command) => {
      const { bashCompletion, completionTable, zshCompletion } = await import('../completion-script.js');
      let root: Command = cmd;
      while (root.parent) root = root.parent;
      const table = completionTable(root);
      process.stdout.write(shell === 'bash' ? bashCompletion(table, root.name()) : zshCompletion(table, root.name()));
    });
}
