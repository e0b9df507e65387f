/**
 * `berth image ls|inspect|prune|base`: image management sub-verbs.
 */
import type { Command } from 'commander';
import { readGlobals } from '../globals.js';
import { imageListing } from './images.js';

/** Registers the `image` verb and its sub-verbs. */
export function register(program: Command): void {
  const image = program.command('image').description('manage local images (ls, inspect, prune, base)');
  imageListing(image.command('ls').description('list local images (same as berth images)'));
  image
    .command('inspect')
    .description('print an image\'s config, layers and manifest as JSON')
    .argument('<image...>', 'NAME[:TAG], digest or ID')
    .action(async (refs: string[], _opts: unknown, cmd: Command) => {
      const { inspectImage } = await import('../image-calls.js');
      const out = [];
      for (const r of refs) out.push(await inspectImage(cmd, r));
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    });
  image
    .command('prune')
    .description('remove unnamed images and blobs/layers no image uses (older than --grace)')
    .option('--grace <minutes>', 'keep unused blobs younger than this (a build or pull may be writing them)', '60')
    .action(async (opts: { grace: string }, cmd: Command) => {
      const { humanSize } = await import('../../image/image-table.js');
      const { pruneImages } = await import('../image-calls.js');
      const { BerthError } = await import('../../errors.js');
      const minutes = Number(opts.grace);
      if (!Number.isFinite(minutes) || minutes < 0) throw new BerthError('E_USAGE', `--grace wants minutes (a number ≥ 0), not "${opts.grace}"`, { hint: 'e.g. berth image prune --grace 0' });
      const r = await pruneImages(cmd, minutes * 60_000);
      for (const d of r.removedImages) process.stdout.write(`Deleted image: ${d}\n`);
      process.stdout.write(`removed ${r.removedImages.length} images, ${r.removedBlobs.length} blobs, ${r.removedLayers.length} layer dirs; reclaimed ${humanSize(r.bytes)}\n`);
    });
  image
    .command('base')
    .description('list the built-in base images, or make one now (they are also made on first use)')
    .argument('[name]', `scratch, busybox or debian:bookworm`)
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const { ImageStore } = await import('../../image/image-store.js');
      const { BASE_IMAGES, ensureBaseImage, isBaseImage } = await import('../../image/base-images.js');
      const { familiarReference, parseReference } = await import('../../image/reference.js');
      const { BerthError } = await import('../../errors.js');
      const store = await ImageStore.open(readGlobals(cmd).root);
      if (!name) {
        for (const [ref, b] of Object.entries(BASE_IMAGES)) {
          const have = await store.resolve(ref).then(() => 'present', () => 'made on first use');
          process.stdout.write(`${familiarReference(parseReference(ref)).padEnd(18)} ${have.padEnd(18)} ${b.description}\n`);
        }
        return;
      }
      if (!isBaseImage(name)) throw new BerthError('E_IMAGE_NOT_FOUND', `"${name}" is not a built-in base image`, { hint: `built-in: ${Object.keys(BASE_IMAGES).map((r) => familiarReference(parseReference(r))).join(', ')}; see docs/images.md to add one` });
      const img = await ensureBaseImage(store, name, (e) => process.stderr.write(`${e.image}: ${e.message}\n`));
      process.stdout.write(`${familiarReference(parseReference(img.names[0] ?? img.ref))}: ${img.digest}\n`);
    });
}
