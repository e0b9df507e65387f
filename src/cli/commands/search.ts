/**
 * `berth search HOST[/TERM] [--tags]`: repositories in a registry's catalog
 * whose name contains TERM. Says plainly when the registry has no catalog.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';

/** Registers the `search` verb. */
export function register(program: Command): void {
  program
    .command('search')
    .description("search a registry's catalog: berth search 127.0.0.1:5000/web")
    .argument('<term>', 'HOST[/TERM]: the registry, and what a repository name must contain')
    .option('--tags', 'list the tags of each match')
    .option('--limit <n>', 'at most this many matches', '100')
    .option('--insecure', 'the registry serves plain http (or list it in BERTH_INSECURE_REGISTRIES)')
    .option('--json', 'print the result as JSON')
    .action(async (text: string, opts: { tags?: boolean; limit: string; insecure?: boolean; json?: boolean }, cmd: Command) => {
      const { root } = readGlobals(cmd);
      const { searchRegistry, splitSearchTerm } = await import('../../image/registry/search-registry.js');
      const { openRegistry } = await import('../../image/registry/open-registry.js');
      const { host, term } = splitSearchTerm(text);
      const client = await openRegistry(host, { root, insecure: opts.insecure });
      const res = await searchRegistry(client, term, { tags: opts.tags, limit: Number(opts.limit) || 100 });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      } else if (!res.available) {
        process.stdout.write(`${res.reason}\n`);
      } else if (res.hits.length === 0) {
        process.stdout.write(`no repository on ${host} matches "${term}"\n`);
      } else {
        for (const h of res.hits) process.stdout.write(`${host}/${h.repository}${h.tags ? `  ${h.tags.join(' ')}` : ''}\n`);
        if (res.truncated) process.stdout.write(`(more than ${opts.limit} matches; narrow the term or raise --limit)\n`);
      }
      if (!res.available) process.exitCode = 1;
    });
}
