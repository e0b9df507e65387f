/**
 * `berth build -t NAME[:TAG] [-f Dockerfile] [--build-arg K=V] [--no-cache]
 * [--target S] DIR`: builds through the agent (a local one reads the folder
 * in place; a remote one, --host tcp://…, gets it uploaded as a tar after
 * .dockerignore), or locally when no local agent answers. Steps on stderr,
 * the image on stdout.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the `build` verb. */
export function register(program: Command): void {
  program
    .command('build')
    .description('build an image from a Dockerfile: berth build -t app:v1 .')
    .argument('<dir>', 'the build context folder')
    .option('-t, --tag <name>', 'name the image NAME[:TAG] (repeatable)', collect, [])
    .option('-f, --file <dockerfile>', 'the Dockerfile (default DIR/Dockerfile)')
    .option('--build-arg <k=v>', 'set a build argument (repeatable)', collect, [])
    .option('--target <stage>', 'build this stage')
    .option('--no-cache', 'run every step again')
    .option('-q, --quiet', 'print only the image digest')
    .action(async (dir: string, opts: { tag: string[]; file?: string; buildArg: string[]; target?: string; cache: boolean; quiet?: boolean }, cmd: Command) => {
      const { BerthError, formatError } = await import('../../errors.js');
      const { agentOrLocal } = await import('../agent-or-local.js');
      const { buildViaAgent } = await import('../build-call.js');
      const { readGlobals } = await import('../globals.js');
      const { createBuildProgress } = await import('../build-progress.js');
      const buildArgs: Record<string, string> = {};
      for (const kv of opts.buildArg) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new BerthError('E_USAGE', `--build-arg wants K=V, not "${kv}"`, { hint: 'e.g. --build-arg VERSION=1.2' });
        buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const req = {
        context: resolve(dir), tags: opts.tag, buildArgs, noCache: !opts.cache,
        ...(opts.file ? { dockerfile: resolve(opts.file) } : {}), ...(opts.target ? { target: opts.target } : {}),
      };
      const view = createBuildProgress(process.stderr, opts.quiet);
      type Done = { image: string; digest: string };
      try {
        const done = await agentOrLocal<Done>(
          cmd,
          (client) => buildViaAgent(client, readGlobals(cmd).host, { dir, tags: opts.tag, buildArgs, noCache: !opts.cache, ...(opts.file ? { file: opts.file } : {}), ...(opts.target ? { target: opts.target } : {}) }, (e) => view.onEvent(e), process.stderr, opts.quiet),
          async (root) => {
            const { openLocalImageService } = await import('../../supervisor/image-service.js');
            const svc = await openLocalImageService(root);
            const abort = new AbortController();
            const onInt = () => abort.abort();
            process.once('SIGINT', onInt);
            try {
              const res = await svc.build({
                contextDir: req.context, tags: req.tags, buildArgs, noCache: req.noCache, signal: abort.signal,
                ...(req.dockerfile ? { dockerfile: req.dockerfile } : {}), ...(req.target ? { target: req.target } : {}),
                onProgress: (e) => view.onEvent(e.type === 'step-failed' ? { ...e, error: e.error.toJSON() } : e),
              });
              if (res.ok) return { image: res.image.names[0] ?? res.image.digest, digest: res.image.digest };
              view.stop();
              for (const e of res.errors.slice(1)) process.stderr.write(`berth: ${formatError(e)}\n`);
              throw res.errors[0]!;
            } finally {
              process.off('SIGINT', onInt);
            }
          },
        );
        view.stop();
        const { familiarReference, parseReference } = await import('../../image/reference.js');
        const name = done.image.startsWith('sha256:') ? done.image : familiarReference(parseReference(done.image));
        process.stdout.write(opts.quiet ? `${done.digest}\n` : `${name}: ${done.digest}\n`);
      } finally {
        view.stop();
      }
    });
}
