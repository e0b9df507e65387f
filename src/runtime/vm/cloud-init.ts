/**
 * A cloud-init NoCloud seed for disk-image guests (`vm.cloud_init: true`):
 * `meta-data` (instance id, hostname) and `user-data` (#cloud-config:
 * hostname, and every file of the unit's read-only bind mounts — its
 * rendered templates — as `write_files` at the mount's target). QEMU shows
 * the seed folder to the guest as a read-only FAT disk labelled `cidata`
 * (vvfat), so no ISO tool is needed.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { InstanceSpec } from '../driver.js';

/** One file for write_files. */
export interface SeedFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** Pure: the two seed documents. */
export function seedDocuments(spec: Pick<InstanceSpec, 'id' | 'hostname'>, files: SeedFile[]): { metaData: string; userData: string } {
  const metaData = stringify({ 'instance-id': spec.id, 'local-hostname': spec.hostname });
  const config = {
    hostname: spec.hostname,
    ...(files.length ? {
      write_files: files.map((f) => ({ path: f.path, encoding: 'b64', content: f.content.toString('base64'), permissions: `0${(f.mode & 0o7777).toString(8)}` })),
    } : {}),
  };
  return { metaData, userData: `#cloud-config\n${stringify(config)}` };
}

/** The files under the read-only bind mounts of a spec, at their guest paths. */
export function mountedFiles(spec: InstanceSpec): SeedFile[] {
  const out: SeedFile[] = [];
  for (const m of spec.mounts) {
    if (m.type !== 'bind' || !m.readonly) continue;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) out.push({ path: join(m.target, relative(m.source, p)), content: readFileSync(p), mode: statSync(p).mode });
      }
    };
    if (statSync(m.source, { throwIfNoEntry: false })?.isDirectory()) walk(m.source);
  }
  return out;
}

/** Writes the seed folder `dir` (meta-data, user-data) for a spec. */
export function writeSeed(dir: string, spec: InstanceSpec): void {
  mkdirSync(dir, { recursive: true });
  const docs = seedDocuments(spec, mountedFiles(spec));
  writeFileSync(join(dir, 'meta-data'), docs.metaData);
  writeFileSync(join(dir, 'user-data'), docs.userData);
}
