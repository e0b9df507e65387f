/**
 * Image archives. `saveImage` writes an OCI archive (a tar of an OCI image
 * layout: oci-layout, index.json, blobs/sha256/…), as `skopeo`/`podman`
 * read it (`oci-archive:FILE`). `loadImage` reads an OCI archive or a
 * `docker save` tar. Both are atomic: the archive file appears whole, and a
 * loaded image enters the index only after all its blobs are verified.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar';
import { BerthError, errorCode } from '../errors.js';
import { syncDir, tempPathFor } from './atomic-file.js';
import type { ImageStore } from './image-store.js';
import type { Image } from './image-views.js';
import { CONTAINERD_NAME_ANNOTATION, MediaType, REF_NAME_ANNOTATION, type Descriptor, type ImageConfig, type ImageIndex, type Manifest } from './oci-types.js';
import { parseReference } from './reference.js';
import { tarStream, type TarEntry } from './tar-writer.js';

const EPOCH = new Date(0);

function fileEntry(path: string, size: number, source?: string): TarEntry {
  return { path, type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: EPOCH, size, source };
}

/** Writes the images `refs` to `file` as an OCI archive (atomically). Returns the images saved. */
export async function saveImage(store: ImageStore, refs: string | string[], file: string): Promise<Image[]> {
  const images: Image[] = [];
  for (const r of Array.isArray(refs) ? refs : [refs]) images.push(await store.resolve(r));
  const blobs = new Set<string>();
  const manifests: Descriptor[] = [];
  for (const image of images) {
    [image.digest, image.id, ...image.manifest.layers.map((l) => l.digest)].forEach((d) => blobs.add(d));
    const desc = (await store.readIndex()).manifests.find((m) => m.digest === image.digest)!;
    const raw = await store.blobs.readJson<Partial<ImageIndex>>(image.digest);
    if (raw.manifests) throw new BerthError('E_UNSUPPORTED', `saving multi-platform image ${image.ref} is not supported yet`, { hint: 'save a single-platform image' });
    const name = parseReference(image.ref).digest === undefined && image.names.includes(image.ref) ? image.ref : image.names[0];
    const annotations = name ? { [REF_NAME_ANNOTATION]: name, [CONTAINERD_NAME_ANNOTATION]: name } : undefined;
    manifests.push({ mediaType: desc.mediaType, digest: image.digest, size: desc.size, ...(annotations ? { annotations } : {}) });
  }
  for (const d of blobs) await store.blobs.verify(d);
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.index, manifests };
  const layout = JSON.stringify({ imageLayoutVersion: '1.0.0' });
  const indexJson = JSON.stringify(index);
  const entries: TarEntry[] = [
    { path: 'blobs', type: 'Directory', mode: 0o755, uid: 0, gid: 0, mtime: EPOCH },
    { path: 'blobs/sha256', type: 'Directory', mode: 0o755, uid: 0, gid: 0, mtime: EPOCH },
  ];
  for (const d of [...blobs].sort()) {
    const { size } = await store.blobs.stat(d);
    entries.push(fileEntry(`blobs/sha256/${d.slice(7)}`, size, store.blobs.path(d)));
  }
  const tmp = tempPathFor(file);
  const staged = join(store.blobs.tmpDir, `${process.pid}-save-${basename(tmp)}`);
  await mkdir(store.blobs.tmpDir, { recursive: true });
  const small = [['oci-layout', layout], ['index.json', indexJson]] as const;
  for (const [n, text] of small) await writeSmall(join(staged, n), text);
  try {
    const all = [fileEntry('oci-layout', Buffer.byteLength(layout), join(staged, 'oci-layout')), fileEntry('index.json', Buffer.byteLength(indexJson), join(staged, 'index.json')), ...entries];
    await pipeline(tarStream(all), createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
    const fh = await open(tmp, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(tmp, file);
    await syncDir(dirname(file));
  } finally {
    await rm(tmp, { force: true });
    await rm(staged, { recursive: true, force: true });
  }
  return images;
}

async function writeSmall(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** What one loaded image got: its name (if any) and digest. */
export interface LoadedImage {
  name?: string;
  image: Image;
}

/** A name from an archive's annotations, if it is a full reference (`latest` alone is only a tag). */
export function nameFromAnnotations(a: Record<string, string> | undefined): string | undefined {
  const full = a?.[CONTAINERD_NAME_ANNOTATION] ?? a?.[REF_NAME_ANNOTATION];
  if (!full || !/[:/]/.test(full)) return undefined;
  try {
    parseReference(full);
    return full;
  } catch {
    return undefined;
  }
}

/** Loads every image of an OCI archive or a docker-save tar into the store. `name` names a single unnamed image. */
export async function loadImage(store: ImageStore, file: string, options: { name?: string } = {}): Promise<LoadedImage[]> {
  await stat(file).catch((err) => {
    throw new BerthError('E_NOT_FOUND', `cannot read ${file}: ${errorCode(err) ?? (err as Error).message}`, { hint: 'give the path of a file made by `berth save` or `skopeo copy … oci-archive:FILE`' });
  });
  const dir = store.blobs.tempPath('load');
  await mkdir(dir, { recursive: true });
  try {
    try {
      await extract({ file, cwd: dir, strict: true, preserveOwner: false, filter: (_p, e) => ['File', 'OldFile', 'Directory'].includes((e as { type?: string }).type ?? 'File') });
    } catch (err) {
      throw new BerthError('E_BAD_ARCHIVE', `${file} is not a readable tar archive: ${(err as Error).message}`, { hint: 'berth load reads OCI archives and docker-save tars' });
    }
    const isOci = await stat(join(dir, 'oci-layout')).then(() => true, () => false);
    if (isOci) return await loadOciLayout(store, dir, options);
    if (await stat(join(dir, 'manifest.json')).then(() => true, () => false)) return await loadDockerArchive(store, dir, options);
    throw new BerthError('E_BAD_ARCHIVE', `${file} has neither oci-layout nor manifest.json`, { hint: 'berth load reads OCI archives (berth save, skopeo oci-archive:) and docker-save tars' });
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
  }
}

async function adoptBlob(store: ImageStore, dir: string, d: Descriptor): Promise<void> {
  if (await store.blobs.has(d.digest)) return;
  const path = join(dir, 'blobs', ...d.digest.split(':'));
  await stat(path).catch(() => {
    throw new BerthError('E_BAD_ARCHIVE', `the archive lacks blob ${d.digest}`, { hint: 'the archive is incomplete; make it again' });
  });
  await store.blobs.adopt(path, { digest: d.digest, size: d.size });
}

async function adoptManifest(store: ImageStore, dir: string, d: Descriptor, top: boolean): Promise<void> {
  const path = join(dir, 'blobs', ...d.digest.split(':'));
  const present = await stat(path).then(() => true, () => false);
  if (!present && !top) return; // other platforms of an index, not in the archive
  await adoptBlob(store, dir, d);
  const raw = await store.blobs.readJson<Manifest & Partial<ImageIndex>>(d.digest);
  for (const child of raw.manifests ?? []) await adoptManifest(store, dir, child, false);
  if (raw.config) for (const b of [raw.config, ...raw.layers]) await adoptBlob(store, dir, b);
}

async function loadOciLayout(store: ImageStore, dir: string, options: { name?: string }): Promise<LoadedImage[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ImageIndex;
  const out: LoadedImage[] = [];
  for (const d of index.manifests ?? []) {
    await adoptManifest(store, dir, d, true);
    const name = nameFromAnnotations(d.annotations) ?? (index.manifests.length === 1 ? options.name : undefined);
    const { annotations: _drop, ...plain } = d;
    const image = await store.recordImage(plain, name);
    await store.layerDirs(image);
    out.push(name ? { name, image } : { image });
  }
  return out;
}

interface DockerManifestEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }

async function loadDockerArchive(store: ImageStore, dir: string, options: { name?: string }): Promise<LoadedImage[]> {
  const entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DockerManifestEntry[];
  const out: LoadedImage[] = [];
  for (const e of entries) {
    const configPath = join(dir, e.Config);
    const configBlob = await store.blobs.put(await readFile(configPath));
    const config = await store.blobs.readJson<ImageConfig>(configBlob.digest);
    const layers: Descriptor[] = [];
    for (const [i, l] of e.Layers.entries()) {
      const ref = await store.addLayer(createReadStream(join(dir, l)), { mediaType: MediaType.layerTar });
      if (config.rootfs.diff_ids[i] !== ref.diffID) {
        throw new BerthError('E_CORRUPT_BLOB', `layer ${l} hashes to ${ref.diffID}, but the config says ${config.rootfs.diff_ids[i]}`, { hint: 'the archive is corrupt; make it again' });
      }
      layers.push(ref.descriptor);
    }
    const manifest: Manifest = { schemaVersion: 2, mediaType: MediaType.manifest, config: { mediaType: MediaType.config, digest: configBlob.digest, size: configBlob.size }, layers };
    const m = await store.blobs.put(JSON.stringify(manifest));
    const desc: Descriptor = { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
    const tags = e.RepoTags ?? [];
    const first = tags[0] ?? (entries.length === 1 ? options.name : undefined);
    let image = await store.recordImage(desc, first);
    for (const t of tags.slice(1)) image = await store.tag(image.digest, t);
    out.push(first ? { name: first, image } : { image });
  }
  return out;
}
