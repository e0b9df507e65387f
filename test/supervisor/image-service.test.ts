/** The image service's prune: the store first, then the caches derived from images (the VM driver's initramfs). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageStore } from '../../src/image/image-store.js';
import { FakeClock } from '../../src/runtime/fake/clock.js';
import { FakeDriver } from '../../src/runtime/fake/driver.js';
import { createImageService } from '../../src/supervisor/image-service.js';

test('prune runs the store\'s prune, then the afterPrune hook (once, after it)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'bt-imgsvc-'));
  try {
    const store = await ImageStore.open(root);
    const order: string[] = [];
    const prune = store.prune.bind(store);
    store.prune = async (o) => {
      order.push('store');
      return prune(o);
    };
    const svc = createImageService(root, store, new FakeDriver({ clock: new FakeClock() }), { afterPrune: () => order.push('hook') });
    const result = await svc.prune({ graceMs: 0 });
    assert.equal(order, ['store', 'hook']);
    assert.ok(Array.isArray(result.removedImages));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
