/**
 * `berth import compose FILE [-o DIR]`: turns a docker-compose.yml into unit
 * files (one per service, network and volume) and says, key by key, what
 * could not be mapped. Existing unit files are not overwritten without --force.
 */
import type { Command } from 'commander';

/** Registers the `import` verb and its `compose` sub-verb. */
export function register(program: Command): void {
  const cmd = program.command('import').description('turn other tools\' files into unit files');
  cmd
    .command('compose')
    .description('convert a docker-compose.yml into unit files')
    .argument('<file>', 'the compose file')
    .option('-o, --out <dir>', 'folder to write the unit files to', 'units')
    .option('-f, --force', 'overwrite unit files that exist')
    .action(async (file: string, opts: { out: string; force?: boolean }) => {
      const { readFile, writeFile, mkdir, access } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { convertCompose } = await import('../../config/import-compose.js');
      const { BerthError, errorCode, formatError } = await import('../../errors.js');
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new BerthError('E_READ', `cannot read ${file}: ${errorCode(err) ?? String(err)}`, { hint: 'give the path of a docker-compose.yml' });
      });
      const r = convertCompose(text, file, { outDir: opts.out });
      if (r.errors.length > 0) {
        for (const e of r.errors) process.stdout.write(`${formatError(e)}\n`);
        process.exitCode = 1;
        return;
      }
      await mkdir(opts.out, { recursive: true });
      const exists = async (p: string) => access(p).then(() => true, () => false);
      if (!opts.force) {
        const clash = [];
        for (const u of r.units) if (await exists(join(opts.out, u.file))) clash.push(u.file);
        if (clash.length) {
          process.stderr.write(`berth: ${clash.join(', ')} already exist in ${opts.out}\nhint: pass --force to overwrite, or -o ANOTHER_DIR\n`);
          process.exitCode = 1;
          return;
        }
      }
      for (const u of r.units) {
        await writeFile(join(opts.out, u.file), u.text);
        process.stdout.write(`wrote ${join(opts.out, u.file)}\n`);
      }
      for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
      process.stdout.write(`${r.units.length} unit files written, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}; next: berth validate ${opts.out}\n`);
    });
}
