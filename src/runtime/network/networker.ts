/**
 * The contract between drivers and berth networking: a driver creates the
 * instance's network namespace, then asks the Networker to wire it up
 * (CNI bridge + host-local IPAM + portmap + loopback) and to tear it down.
 */
import type { PortSpec } from '../../config/unit-spec.js';

/** A network as declared by a `network` unit (or the built-in `default`). */
export interface NetworkSpec {
  name: string;
  /** IPv4 CIDR; allocated from 10.89.0.0/16 when omitted */
  subnet?: string;
}

/** One interface of an instance on one network. */
export interface NetworkAttachment {
  network: string;
  interface: string;
  ip: string;
  gateway: string;
  mac?: string;
}

export interface AttachRequest {
  id: string;
  /** path of the instance's network namespace (e.g. /run/netns/berth-<id>) */
  netnsPath: string;
  networks: string[];
  ports: PortSpec[];
  hostname: string;
  /** names other members of the same networks resolve to this instance (unit name first) */
  aliases: string[];
}

export interface Networker {
  /** Create the bridge/config for a network if missing; idempotent. */
  ensureNetwork(spec: NetworkSpec): Promise<void>;
  /** Remove a network; refuses while instances are attached. */
  removeNetwork(name: string): Promise<void>;
  /** Wire an instance into its networks and publish its ports. */
  attach(req: AttachRequest): Promise<NetworkAttachment[]>;
  /** Undo attach; idempotent, also after a crash left half of it. */
  detach(req: AttachRequest): Promise<void>;
  /** Path of the hosts file to bind-mount at /etc/hosts for this instance (kept up to date in place). */
  hostsFile(id: string): string;
  /** Path of a resolv.conf to bind-mount at /etc/resolv.conf: the host's without 127.x nameservers. (added by the network work) */
  resolvConfFile?(): string;
  /** After a crash: release what instances whose netns is gone still hold; returns what was removed. (added by the network work) */
  cleanupLeftovers?(): Promise<string[]>;
}
