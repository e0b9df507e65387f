/**
 * The Networker on CNI plugins (Debian's containernetworking-plugins): one
 * Linux bridge per network (bridge + host-local IPAM + portmap, chained),
 * loopback in every namespace, published ports through portmap (which also
 * sets route_localnet and masquerades 127.0.0.1 for localhost publishing),
 * hosts files for names, BERTH-ISOLATE for separation between networks.
 * Everything it stores lives under `<root>/network/`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { addConfList, runCachedConfList } from './cni-chain.js';
import { withDirLock } from './dir-lock.js';
import { DEFAULT_CNI_PATH, execCniPlugin, execCniVersion, type CniExec } from './cni-exec.js';
import { addressOf, hostVethOf, negotiateVersion, SPOKEN_VERSIONS, type CniTarget } from './cni-protocol.js';
import { hostRoutes, removeLink } from './host-net.js';
import { writeInPlace } from './hosts-file.js';
import { affectedBy, hostsFor } from './hosts-sync.js';
import { ensureIsolation, removeIsolation } from './isolation.js';
import { removeCniRules } from './leftovers.js';
import { bridgeName, buildConfList, checkNetworkName, loopbackConfList, type NetworkRecord } from './network-config.js';
import { NetworkState, type InstanceRecord } from './network-state.js';
import type { AttachRequest, NetworkAttachment, Networker, NetworkSpec } from './networker.js';
import { checkPortsFree } from './port-probe.js';
import { containerResolvConf, RESOLVED_UPSTREAM } from './resolv-conf.js';
import { allocateSubnet, checkSubnet, gatewayOf } from './subnet.js';

/** The network every container joins unless it names others. */
export const DEFAULT_NETWORK = 'default';

/** Options of a CniNetworker; only `root` is required. */
export interface CniNetworkerOptions {
  /** berth's state dir (e.g. /var/lib/berth); everything is kept under `<root>/network/` */
  root: string;
  /** plugin directories (CNI_PATH) */
  cniPath?: string[];
  /** runs one plugin; replaced in tests */
  exec?: CniExec;
  /** asks a plugin for its VERSION reply; replaced in tests */
  version?: (type: string, cniPath: string[]) => Promise<string>;
}

/** The plugins every attach uses. */
export const REQUIRED_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'];

// One queue per state dir in this process, and a lock dir between processes: attach/detach read-modify-write shared records.
const queues = new Map<string, Promise<unknown>>();

/** The Networker berth uses for containers (and VM taps later). */
export class CniNetworker implements Networker {
  private readonly state: NetworkState;
  private readonly cniPath: string[];
  private readonly exec: CniExec;
  private negotiated?: Promise<string>;

  constructor(private readonly opts: CniNetworkerOptions) {
    this.state = new NetworkState(opts.root);
    this.cniPath = opts.cniPath ?? DEFAULT_CNI_PATH;
    this.exec = opts.exec ?? execCniPlugin;
  }

  /**
   * Checks that the plugins are installed and speak a common CNI version
   * (1.0.0, else 0.4.0); cached for the process. For `berth info` and attach.
   */
  probe(): Promise<{ cniVersion: string; cniPath: string[] }> {
    this.negotiated ??= (async () => {
      const versionOf = this.opts.version ?? execCniVersion;
      const replies = Object.fromEntries(await Promise.all(REQUIRED_PLUGINS.map(async (t) => [t, await versionOf(t, this.cniPath)] as const)));
      const v = negotiateVersion(replies);
      if (!v) {
        throw new BerthError('E_CNI_VERSION', `the CNI plugins in ${this.cniPath.join(':')} support none of CNI ${SPOKEN_VERSIONS.join(', ')}`, {
          hint: 'install containernetworking-plugins 0.8 or later (scripts/setup)',
        });
      }
      return v;
    })();
    this.negotiated.catch(() => (this.negotiated = undefined)); // retry after the user fixes it
    return this.negotiated.then((cniVersion) => ({ cniVersion, cniPath: this.cniPath }));
  }

  /** Creates (or checks) the network's record, subnet and isolation rules; the bridge appears on first attach. */
  ensureNetwork(spec: NetworkSpec): Promise<void> {
    return this.serial(() => this.ensureNetworkNow(spec).then(() => undefined));
  }

  /** Removes the network's bridge, rules and IPAM data; refuses while instances are attached. */
  removeNetwork(name: string): Promise<void> {
    return this.serial(async () => {
      const rec = this.state.readNetwork(name);
      if (!rec) return;
      const members = this.state.listInstances().filter((i) => i.attachments.some((a) => a.network === name));
      if (members.length > 0) {
        throw new BerthError('E_NET_BUSY', `network ${name} is in use by ${members.map((m) => m.id).join(', ')}`, {
          hint: 'stop or remove those containers first',
        });
      }
      await removeIsolation(rec.bridge);
      await removeLink(rec.bridge);
      rmSync(join(this.state.ipamDir, name), { recursive: true, force: true });
      this.state.removeNetwork(name);
    });
  }

  /** Loopback, then each network in order (eth0, eth1…), ports on the first; rolls back on any failure. */
  attach(req: AttachRequest): Promise<NetworkAttachment[]> {
    return this.serial(async () => {
      if (!existsSync(req.netnsPath)) {
        throw new BerthError('E_NETNS_MISSING', `network namespace ${req.netnsPath} of ${req.id} does not exist`, {
          hint: 'the driver creates it before attach; was the container removed meanwhile?',
        });
      }
      const { cniVersion } = await this.probe();
      const stale = this.state.readInstance(req.id);
      if (stale) await this.teardown(stale);
      const networks = req.networks.length > 0 ? req.networks : [];
      const recs: NetworkRecord[] = [];
      for (const name of networks) recs.push(await this.networkFor(name));
      if (recs.length > 0 && req.ports.length > 0) {
        const held = this.state.listInstances().filter((o) => o.id !== req.id).flatMap((o) => o.ports.map((p) => ({ ...p, by: `container ${o.id}` })));
        await checkPortsFree(req.id, req.ports, held);
      }
      const record: InstanceRecord = {
        id: req.id,
        netnsPath: req.netnsPath,
        hostname: req.hostname,
        aliases: req.aliases,
        ports: req.ports,
        attachments: recs.map((net, i) => ({
          network: net.name,
          ifName: `eth${i}`,
          bridge: net.bridge,
          confList: buildConfList(net, this.state.ipamDir, cniVersion),
          runtimeConfig: i === 0 ? { portMappings: portMappingsOf(req) } : {},
        })),
      };
      this.state.writeInstance(record); // before any plugin runs: a crash from here on is undoable
      try {
        await addConfList(this.exec, loopbackConfList(cniVersion), this.target(req.id, req.netnsPath, 'lo'));
        for (const att of record.attachments) {
          const result = await addConfList(this.exec, att.confList, this.target(req.id, req.netnsPath, att.ifName), att.runtimeConfig);
          const addr = addressOf(result, att.ifName);
          Object.assign(att, { result, ip: addr?.ip, gateway: addr?.gateway, mac: addr?.mac });
          this.state.writeInstance(record);
        }
      } catch (err) {
        await this.teardown(record).catch(() => undefined);
        throw err;
      }
      this.syncHosts(record);
      return record.attachments.map((a) => ({ network: a.network, interface: a.ifName, ip: a.ip ?? '', gateway: a.gateway ?? '', ...(a.mac ? { mac: a.mac } : {}) }));
    });
  }

  /**
   * Undoes attach from the stored record; idempotent. Without a record no
   * plugin ever ran for this id (attach stores it first), so only stray
   * rules, leases and the hosts file are swept.
   */
  detach(req: AttachRequest): Promise<void> {
    return this.serial(async () => {
      const record = this.state.readInstance(req.id);
      if (record) return this.teardown(record);
      await removeCniRules(req.id);
      for (const lease of this.state.ipamLeases()) if (lease.containerId === req.id) rmSync(lease.path, { force: true });
      rmSync(this.state.hostsPath(req.id), { force: true });
    });
  }

  /** CNI CHECK of every attachment of `id`: is its networking still as attach left it? Throws the first failure. */
  check(id: string): Promise<void> {
    return this.serial(async () => {
      const record = this.state.readInstance(id);
      if (!record) throw new BerthError('E_NET_NOT_ATTACHED', `${id} is not attached to any network`, { hint: 'start the container first' });
      for (const att of record.attachments) {
        const target = this.target(record.id, record.netnsPath, att.ifName);
        await runCachedConfList(this.exec, 'CHECK', att.confList, target, att.result, att.runtimeConfig);
      }
    });
  }

  /** The hosts file to bind-mount at /etc/hosts; created (with localhost only) if missing. */
  hostsFile(id: string): string {
    const path = this.state.hostsPath(id);
    if (!existsSync(path)) {
      mkdirSync(join(path, '..'), { recursive: true });
      const rec = this.state.readInstance(id);
      writeInPlace(path, hostsFor(rec ?? { id, netnsPath: '', hostname: id, aliases: [], ports: [], attachments: [] }, this.state.listInstances()));
    }
    return path;
  }

  /** A resolv.conf for containers (the host's without 127.x nameservers), refreshed on each call. */
  resolvConfFile(): string {
    const host = readIfExists('/etc/resolv.conf') ?? '';
    const text = containerResolvConf(host, readIfExists(RESOLVED_UPSTREAM));
    const path = this.state.resolvConfPath;
    mkdirSync(this.state.dir, { recursive: true });
    if (readIfExists(path) !== text) writeInPlace(path, text);
    return path;
  }

  /**
   * After a crash: detaches instances whose namespace is gone (IPAM, rules,
   * hosts entries) and drops IPAM leases nobody holds. Returns what it removed.
   */
  cleanupLeftovers(): Promise<string[]> {
    return this.serial(async () => {
      const removed: string[] = [];
      for (const rec of this.state.listInstances()) {
        if (existsSync(rec.netnsPath)) continue;
        await this.teardown(rec);
        removed.push(`instance ${rec.id} (namespace ${rec.netnsPath} gone)`);
      }
      const live = new Set(this.state.listInstances().map((r) => r.id));
      for (const lease of this.state.ipamLeases()) {
        if (live.has(lease.containerId)) continue;
        rmSync(lease.path, { force: true });
        removed.push(`IPAM lease ${lease.network}/${lease.ip} of ${lease.containerId}`);
      }
      return removed;
    });
  }

  /** The stored record of a network, for `berth network ls/inspect`. */
  listNetworks(): NetworkRecord[] {
    return this.state.listNetworks();
  }

  private async ensureNetworkNow(spec: NetworkSpec): Promise<NetworkRecord> {
    checkNetworkName(spec.name);
    const existing = this.state.readNetwork(spec.name);
    if (existing && (!spec.subnet || spec.subnet === existing.subnet)) {
      await ensureIsolation(existing.bridge);
      return existing;
    }
    if (existing && this.state.listInstances().some((i) => i.attachments.some((a) => a.network === spec.name))) {
      throw new BerthError('E_NET_BUSY', `network ${spec.name} has subnet ${existing.subnet}, not ${spec.subnet}, and is in use`, {
        hint: 'stop its containers to change the subnet',
      });
    }
    const bridge = existing?.bridge ?? bridgeName(spec.name, this.opts.root);
    const others = this.state.listNetworks().filter((n) => n.name !== spec.name);
    const taken = [
      ...others.map((n) => ({ what: `network ${n.name}`, cidr: n.subnet })),
      ...(await hostRoutes([bridge])).map((r) => ({ what: `host route on ${r.dev}`, cidr: r.cidr })),
    ];
    let subnet = spec.subnet;
    if (subnet) checkSubnet(spec.name, subnet, taken);
    else subnet = allocateSubnet(spec.name, taken.map((t) => t.cidr));
    const rec: NetworkRecord = { name: spec.name, subnet, gateway: gatewayOf(subnet), bridge, declared: Boolean(spec.subnet) };
    this.state.writeNetwork(rec);
    await ensureIsolation(bridge);
    return rec;
  }

  private async networkFor(name: string): Promise<NetworkRecord> {
    const rec = this.state.readNetwork(name);
    if (rec) return rec;
    if (name === DEFAULT_NETWORK) return this.ensureNetworkNow({ name });
    throw new BerthError('E_NET_UNKNOWN', `network ${name} does not exist`, {
      hint: `declare a unit with kind: network and name: ${name}, or attach to "${DEFAULT_NETWORK}"`,
    });
  }

  /** DEL each attachment (reverse order) with its stored config and result, then sweep leftovers. */
  private async teardown(record: InstanceRecord): Promise<void> {
    for (const att of [...record.attachments].reverse()) {
      const target = this.target(record.id, record.netnsPath, att.ifName);
      await runCachedConfList(this.exec, 'DEL', att.confList, target, att.result, att.runtimeConfig).catch(() => undefined);
      const veth = att.result ? hostVethOf(att.result, att.bridge) : undefined;
      if (veth) await removeLink(veth);
    }
    if (record.attachments.length > 0) await removeCniRules(record.id);
    for (const lease of this.state.ipamLeases()) if (lease.containerId === record.id) rmSync(lease.path, { force: true });
    this.state.removeInstance(record.id);
    rmSync(this.state.hostsPath(record.id), { force: true });
    this.syncHosts(record);
  }

  /** Rewrites the hosts files of `changed` (if still attached) and of everyone sharing a network with it. */
  private syncHosts(changed: InstanceRecord): void {
    const all = this.state.listInstances();
    const self = all.find((r) => r.id === changed.id);
    for (const rec of self ? [self, ...affectedBy(changed, all)] : affectedBy(changed, all)) {
      const path = this.state.hostsPath(rec.id);
      mkdirSync(join(path, '..'), { recursive: true });
      const text = hostsFor(rec, all);
      if (readIfExists(path) !== text) writeInPlace(path, text);
    }
  }

  private target(id: string, netns: string, ifName: string): CniTarget {
    return { containerId: id, netns, ifName, cniPath: this.cniPath };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(this.opts.root) ?? Promise.resolve();
    const locked = () => withDirLock(this.state.dir, fn);
    const next = prev.then(locked, locked);
    queues.set(this.opts.root, next.catch(() => undefined));
    return next;
  }
}

function portMappingsOf(req: AttachRequest): { hostPort: number; containerPort: number; protocol: string; hostIP: string }[] {
  return req.ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, hostIP: p.hostIp === '0.0.0.0' ? '' : p.hostIp }));
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
