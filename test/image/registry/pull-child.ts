/**
 * Runs one pull in its own process for the kill test: `node --import tsx
 * pull-child.ts ROOT REF`; prints each TransferEvent as a JSON line.
 */
import { ImageStore } from '../../../src/image/image-store.js';
import { pullImage } from '../../../src/image/registry/pull-image.js';

const [root, ref] = process.argv.slice(2) as [string, string];
const store = await ImageStore.open(root);
await pullImage(store, ref, { root, insecure: true, concurrency: 1, onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`) });
