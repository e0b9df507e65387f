/**
 * What the Networker keeps on disk, all under `<root>/network/`:
 * `networks/<name>.json` (NetworkRecord), `instances/<id>.json`
 * (InstanceRecord: the exact conflists and results, so DEL can replay them
 * after a crash), `hosts/<id>` (bind-mounted hosts files), `ipam/`
 * (host-local's data dir) and `resolv.conf`. JSON writes are atomic.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PortSpec } from '../../config/unit-spec.js';
import type { CniConfList, CniResult } from './cni-protocol.js';
import type { NetworkRecord } from './network-config.js';

/** One network interface of an instance, as set up (or being set up). */
export interface AttachmentRecord {
  network: string;
  ifName: string;
  bridge: string;
  confList: CniConfList;
  runtimeConfig: Record<string, unknown>;
  /** the ADD result; absent while ADD runs or after it failed */
  result?: CniResult;
  ip?: string;
  gateway?: string;
  mac?: string;
}

/** Everything needed to undo an attach and to list an instance in its peers' hosts files. */
export interface InstanceRecord {
  id: string;
  netnsPath: string;
  hostname: string;
  aliases: string[];
  ports: PortSpec[];
  attachments: AttachmentRecord[];
}

/** The Networker's files under one state dir. */
export class NetworkState {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'network');
  }

  get ipamDir(): string { return join(this.dir, 'ipam'); }
  get resolvConfPath(): string { return join(this.dir, 'resolv.conf'); }
  hostsPath(id: string): string { return join(this.dir, 'hosts', id); }

  readNetwork(name: string): NetworkRecord | undefined { return readJson(join(this.dir, 'networks', `${name}.json`)); }
  writeNetwork(rec: NetworkRecord): void { writeJsonAtomic(join(this.dir, 'networks', `${rec.name}.json`), rec); }
  removeNetwork(name: string): void { rmSync(join(this.dir, 'networks', `${name}.json`), { force: true }); }
  listNetworks(): NetworkRecord[] { return listJson<NetworkRecord>(join(this.dir, 'networks')); }

  readInstance(id: string): InstanceRecord | undefined { return readJson(join(this.dir, 'instances', `${id}.json`)); }
  writeInstance(rec: InstanceRecord): void { writeJsonAtomic(join(this.dir, 'instances', `${rec.id}.json`), rec); }
  removeInstance(id: string): void { rmSync(join(this.dir, 'instances', `${id}.json`), { force: true }); }
  listInstances(): InstanceRecord[] { return listJson<InstanceRecord>(join(this.dir, 'instances')); }

  // host-local keeps one file per lease: <dataDir>/<network>/<ip>, holding "<containerId>\r\n<ifname>".
  /** host-local's leases (one file per address), for sweeping those of gone instances. */
  ipamLeases(): { network: string; ip: string; containerId: string; path: string }[] {
    const out: { network: string; ip: string; containerId: string; path: string }[] = [];
    if (!existsSync(this.ipamDir)) return out;
    for (const network of readdirSync(this.ipamDir)) {
      const dir = join(this.ipamDir, network);
      for (const ip of readdirSync(dir)) {
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue;
        const path = join(dir, ip);
        const containerId = (readIfExists(path) ?? '').split(/\r?\n/)[0]!.trim();
        out.push({ network, ip, containerId, path });
      }
    }
    return out;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function listJson<T>(dir: string): T[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readJson<T>(join(dir, f)))
    .filter((x): x is T => x !== undefined);
}

/** Writes JSON through a temp file, fsync and rename, so a crash leaves the old or the new file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
