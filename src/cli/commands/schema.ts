/**
 * `berth schema [-o FILE]`: prints the JSON Schema (draft-07) of unit files,
 * for editors: point yaml-language-server at it with
 * `# yaml-language-server: $schema=./unit.schema.json`.
 */
import type { Command } from 'commander';

/** Registers the `schema` verb. */
export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of unit files (for editors)')
    .option('-o, --output <file>', 'write it to FILE instead of stdout')
    .action(async (opts: { output?: string }) => {
      const { unitJsonSchema } = await import('../../config/unit-json-schema.js');
      const text = `${JSON.stringify(unitJsonSchema(), null, 2)}\n`;
      if (opts.output) {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(opts.output, text);
      } else {
        process.stdout.write(text);
      }
    });
}
