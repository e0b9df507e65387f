/**
 * A tap device mirrored to a CNI interface inside one network namespace, so
 * a QEMU guest sits on a berth network exactly where a container would
 * (Kata Containers' "tcfilter" model): CNI wires `eth0` (veth to the bridge,
 * IP from host-local IPAM, portmap rules to that IP) as for a container,
 * then every frame arriving on `eth0` is redirected out of the tap and every
 * frame the guest sends on the tap is redirected out of `eth0`
 * (`tc … u32 match u8 0 0 action mirred egress redirect`; `matchall` is not
 * built into every kernel, u32 is). The guest NIC uses eth0's MAC and IP, so
 * the bridge, ARP, IPAM, hosts entries and portmap all see one address.
 *
 * The tap lives in the namespace: deleting the namespace removes it (no
 * orphan tap on the host), after QEMU, which holds it open, is gone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One interface of a namespace as `ip -j addr` shows it. */
export interface NetnsInterface {
  name: string;
  mac: string;
  mtu: number;
  /** IPv4 address/prefix, e.g. 10.89.3.7/24 ('' when none) */
  cidr: string;
}

/** Pure: the `ip`/`tc` argv lists that create `tap` in `netns` and mirror it with `dev` both ways. */
export function tapMirrorCommands(netns: string, dev: string, tap: string, mtu: number): string[][] {
  const redirect = (from: string, to: string) => ['tc', '-n', netns, 'filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all',
    'u32', 'match', 'u8', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to];
  return [
    ['ip', '-n', netns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap'],
    ['ip', '-n', netns, 'link', 'set', 'dev', tap, 'mtu', String(mtu), 'up'],
    ['tc', '-n', netns, 'qdisc', 'add', 'dev', dev, 'ingress'],
    ['tc', '-n', netns, 'qdisc', 'add', 'dev', tap, 'ingress'],
    redirect(dev, tap),
    redirect(tap, dev),
  ];
}

/** Pure: the interfaces in `ip -j addr show` output. */
export function parseIpAddrJson(json: string): NetnsInterface[] {
  const links = JSON.parse(json || '[]') as { ifname: string; address?: string; mtu?: number; addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  return links.map((l) => {
    const v4 = l.addr_info?.find((a) => a.family === 'inet');
    return { name: l.ifname, mac: l.address ?? '', mtu: l.mtu ?? 1500, cidr: v4 ? `${v4.local}/${v4.prefixlen}` : '' };
  });
}

/** Reads one interface of a named namespace (MAC, MTU, IPv4 address). */
export async function netnsInterface(netns: string, dev: string): Promise<NetnsInterface> {
  const { stdout } = await run('ip', ['-n', netns, '-j', 'addr', 'show', 'dev', dev]);
  const found = parseIpAddrJson(stdout)[0];
  if (!found) throw new Error(`no interface ${dev} in network namespace ${netns}`);
  return found;
}

/**
 * Creates `tap` in the named namespace and mirrors it with `dev` (which CNI
 * made). Returns `dev` as it is: the guest takes its MAC and address.
 */
export async function mirrorTap(netns: string, dev: string, tap: string): Promise<NetnsInterface> {
  const iface = await netnsInterface(netns, dev);
  for (const [cmd, ...args] of tapMirrorCommands(netns, dev, tap, iface.mtu)) {
    try {
      await run(cmd!, args);
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      throw new Error(`${cmd} ${args.join(' ')}: ${stderr || (err as Error).message}`);
    }
  }
  return iface;
}
