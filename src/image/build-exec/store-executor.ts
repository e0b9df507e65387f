/**
 * The real `StepExecutor`: layers live in the image store. RUN goes to a
 * `BuildRunner` (a throw-away container on the layers so far) and its upper
 * dir becomes the layer (overlay whiteouts → OCI whiteouts); COPY/ADD and
 * WORKDIR fill a temp dir that becomes the layer. Temp dirs and mounts are
 * removed whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { BerthError } from '../../errors.js';
import type { CopyAction, MkdirAction, RunAction } from '../build/build-plan.js';
import type { RunOutcome, StepExecutor, StepOf } from '../build/step-executor.js';
import type { ImageStore } from '../image-store.js';
import { diffDirToLayer } from '../layer-pack.js';
import { tarStream } from '../tar-writer.js';
import type { StoredLayer } from './build-layer-cache.js';
import type { BuildRunner } from './build-runner.js';
import { copyIntoLayer, mkdirIntoLayer } from './copy-into-layer.js';
import { withMergedView } from './merged-view.js';

/** Options of a StoreExecutor. */
export interface StoreExecutorOptions {
  store: ImageStore;
  runner: BuildRunner;
  /** The build context dir (`LoadedBuild.contextDir`). */
  contextDir: string;
  signal?: AbortSignal;
}

/** Makes build layers in an ImageStore. */
export class StoreExecutor implements StepExecutor<StoredLayer> {
  /** Ids of RUN containers started (tests check none is left). */
  readonly containers: string[] = [];

  constructor(private readonly o: StoreExecutorOptions) {}

  async imageLayers(ref: string, digest: string): Promise<StoredLayer[]> {
    const image = await this.o.store.resolve(digest).catch(() => this.o.store.resolve(ref));
    return this.o.store.layersOf(image);
  }

  private async dirs(layers: readonly StoredLayer[]): Promise<string[]> {
    const out: string[] = [];
    for (const l of layers) out.push(await this.o.store.layers.ensureUnpacked(l.descriptor, l.diffID));
    return out.reverse();
  }

  private temp(kind: string): string {
    return this.o.store.blobs.tempPath(kind);
  }

  private checkAbort(): void {
    if (this.o.signal?.aborted) throw new BerthError('E_BUILD_CANCELLED', 'the build was cancelled');
  }

  private async store(dir: string, whiteouts: boolean): Promise<StoredLayer> {
    // a step that changed nothing still makes a layer (as docker does); a tar with no entry at all is not readable, so it holds `./`
    const empty = (await readdir(dir)).length === 0;
    const source = empty ? tarStream([{ path: '.', type: 'Directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) }]) : whiteouts ? diffDirToLayer(dir) : { dir };
    const layer = await this.o.store.addLayer(source);
    return { descriptor: layer.descriptor, diffID: layer.diffID };
  }

  async run(step: StepOf<RunAction>, layers: readonly StoredLayer[], onOutput: (chunk: string) => void): Promise<RunOutcome<StoredLayer>> {
    this.checkAbort();
    const a = step.action;
    const id = `build-${randomBytes(6).toString('hex')}`;
    this.containers.push(id);
    let output = '';
    const res = await this.o.runner.run(
      { id, layers: await this.dirs(layers), argv: a.argv, env: a.env, user: a.user, workdir: a.workdir },
      (chunk) => {
        output += chunk;
        onOutput(chunk);
      },
      (upper) => this.store(upper, true),
      this.o.signal,
    );
    this.checkAbort();
    if (res.exitCode === 0 && res.captured) return { ok: true, layer: res.captured };
    return { ok: false, exitCode: res.exitCode, ...(res.signal ? { signal: res.signal } : {}), output };
  }

  async copy(step: StepOf<CopyAction>, layers: readonly StoredLayer[], fromLayers?: readonly StoredLayer[]): Promise<StoredLayer> {
    this.checkAbort();
    const out = this.temp('copy');
    await mkdir(out, { mode: 0o755 });
    try {
      const imageDirs = await this.dirs(layers);
      await withMergedView(imageDirs, this.temp('view'), async (imageRoot) => {
        if (fromLayers) {
          await withMergedView(await this.dirs(fromLayers), this.temp('from'), (fromRoot) => copyIntoLayer(step.action, { out, imageRoot, fromRoot }));
        } else {
          await copyIntoLayer(step.action, { out, imageRoot, contextDir: this.o.contextDir });
        }
      });
      return await this.store(out, false);
    } finally {
      await rm(out, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async mkdir(step: StepOf<MkdirAction>, layers: readonly StoredLayer[]): Promise<StoredLayer> {
    this.checkAbort();
    const out = this.temp('workdir');
    await mkdir(out, { mode: 0o755 });
    try {
      await withMergedView(await this.dirs(layers), this.temp('view'), (imageRoot) => mkdirIntoLayer(step.action, out, imageRoot));
      return await this.store(out, false);
    } finally {
      await rm(out, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
