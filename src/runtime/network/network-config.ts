/**
 * What a berth network is in CNI terms, pure: its Linux bridge name and its
 * conflist (bridge + host-local IPAM, then portmap). The loopback conflist is
 * applied to every namespace on its own.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../../errors.js';
import { CNI_VERSION, type CniConfList } from './cni-protocol.js';

/** A network as stored on disk under the state dir. */
export interface NetworkRecord {
  name: string;
  subnet: string;
  gateway: string;
  bridge: string;
  /** true when the subnet came from the network unit, false when allocated */
  declared: boolean;
}

/** Network names: what a unit name may be, short enough for messages. */
export const NETWORK_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/** Throws a clear error for a name berth cannot use. */
export function checkNetworkName(name: string): void {
  if (!NETWORK_NAME.test(name)) {
    throw new BerthError('E_NET_NAME', `"${name}" is not a valid network name`, {
      hint: 'use lowercase letters, digits, "-", "_" or "." (at most 63, starting with a letter or digit)',
    });
  }
}

/**
 * The bridge for a network: `berth-<name>` when that fits IFNAMSIZ (15) and
 * the state dir is the default one; otherwise `berth-` + 4 name characters
 * + 5 hex of a hash of (state dir, name), so that two state dirs (tests, a
 * second agent) never share a bridge.
 */
export function bridgeName(name: string, root: string, defaultRoot = '/var/lib/berth'): string {
  const clean = name.replace(/[^a-z0-9-]/g, '');
  if (root === defaultRoot && clean === name && name.length <= 9) return `berth-${name}`;
  const hash = createHash('sha256').update(`${root}\0${name}`).digest('hex').slice(0, 5);
  return `berth-${clean.slice(0, 4)}${hash}`;
}

/** The chained conflist of a network: bridge (gateway, masquerade, hairpin) + host-local, then portmap. */
export function buildConfList(net: NetworkRecord, ipamDataDir: string, cniVersion = CNI_VERSION): CniConfList {
  return {
    cniVersion,
    name: net.name,
    plugins: [
      {
        type: 'bridge',
        bridge: net.bridge,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: net.subnet, gateway: net.gateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: ipamDataDir,
        },
      },
      // snat (default true) makes portmap set route_localnet on the bridge and
      // masquerade 127.0.0.1-sourced and hairpin traffic: what PLATFORM.md asks for.
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** The conflist that brings `lo` up in a namespace. */
export function loopbackConfList(cniVersion = CNI_VERSION): CniConfList {
  return { cniVersion, name: 'berth-loopback', plugins: [{ type: 'loopback' }] };
}
