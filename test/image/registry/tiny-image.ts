/**
 * Builds a small OCI image by hand for the registry tests: one gzip tar
 * layer with a file, a config, and an OCI manifest, all as bytes with their
 * digests. Also writes it as an OCI layout for skopeo.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes and the descriptor fields of one blob. */
export interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
  mediaType: string;
}

/** A hand-made image. */
export interface TinyImage {
  layer: Blob;
  config: Blob;
  manifest: Blob;
}

function blob(bytes: Buffer, mediaType: string): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes, mediaType };
}

function tarFile(name: string, content: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([h, content, pad]);
}

/** A new image whose layer holds `hello.txt` with random content (`layerBytes` extra bytes make it bigger). */
export function makeTinyImage(layerBytes = 0): TinyImage {
  const content = Buffer.concat([Buffer.from(`hello ${randomBytes(8).toString('hex')}\n`), randomBytes(layerBytes)]);
  const tar = Buffer.concat([tarFile('hello.txt', content), Buffer.alloc(1024)]);
  const gz = gzipSync(tar, { level: 1 });
  const layer = blob(gz, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const config = blob(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: 'berth registry test' }],
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = blob(Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
  })), 'application/vnd.oci.image.manifest.v1+json');
  return { layer, config, manifest };
}

/** Writes the image as an OCI layout (for `skopeo copy oci:DIR:TAG`). */
export async function writeOciLayout(dir: string, img: TinyImage, tag: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [img.layer, img.config, img.manifest]) await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
}
