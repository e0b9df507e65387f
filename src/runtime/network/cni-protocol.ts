/**
 * The CNI spec (1.0.0) as pure functions: the environment and stdin of one
 * plugin invocation, the order of a chained conflist per command, and the
 * parsing of a plugin's result or error. No I/O here; `cni-exec.ts` runs it.
 */
import { BerthError } from '../../errors.js';

/** The verbs a runtime sends to a plugin (CNI_COMMAND). */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** The version berth speaks; Debian's plugins 1.1.1 support 0.1.0 … 1.0.0. */
export const CNI_VERSION = '1.0.0';

/** One plugin entry of a conflist. */
export interface CniPluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

/** A network configuration list (several plugins chained). */
export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
}

/** What identifies one attachment: the CNI_* variables other than the command. */
export interface CniTarget {
  containerId: string;
  netns: string;
  ifName: string;
  /** directories searched for plugin binaries */
  cniPath: string[];
}

/** The result type a successful ADD prints (spec section "Success"). */
export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { interface?: number; address: string; gateway?: string }[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

/** The error type a failing plugin prints (spec section "Error"). */
export interface CniErrorBody {
  code: number;
  msg: string;
  details?: string;
}

/** A plugin failure: the CNI error code, the plugin and the verb. */
export class CniError extends BerthError {
  readonly plugin: string;
  readonly command: CniCommand;
  readonly cniCode: number;

  constructor(plugin: string, command: CniCommand, body: CniErrorBody, hint: string) {
    const details = body.details ? `: ${body.details}` : '';
    super('E_CNI', `CNI plugin ${plugin} ${command} failed (code ${body.code}): ${body.msg}${details}`, { hint });
    this.name = 'CniError';
    this.plugin = plugin;
    this.command = command;
    this.cniCode = body.code;
  }
}

/** The environment of one invocation (spec section "Parameters"). */
export function buildCniEnv(command: CniCommand, target: CniTarget): Record<string, string> {
  return {
    CNI_COMMAND: command,
    CNI_CONTAINERID: target.containerId,
    CNI_NETNS: target.netns,
    CNI_IFNAME: target.ifName,
    CNI_PATH: target.cniPath.join(':'),
  };
}

/**
 * The stdin of plugin `index` of `list`: its own config plus the list's name
 * and cniVersion, the previous result (when there is one) and the runtime
 * config restricted to the capabilities that plugin declares.
 */
export function buildPluginStdin(
  list: CniConfList,
  index: number,
  prevResult?: CniResult,
  runtimeConfig: Record<string, unknown> = {},
): string {
  const plugin = list.plugins[index];
  if (!plugin) throw new RangeError(`conflist ${list.name} has no plugin #${index}`);
  const conf: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  const caps = Object.keys(plugin.capabilities ?? {}).filter((k) => plugin.capabilities?.[k] && k in runtimeConfig);
  if (caps.length > 0) conf.runtimeConfig = Object.fromEntries(caps.map((k) => [k, runtimeConfig[k]]));
  if (prevResult !== undefined) conf.prevResult = prevResult;
  return JSON.stringify(conf);
}

/** Plugin indexes in the order a command visits them: DEL runs the chain backwards. */
export function pluginOrder(command: CniCommand, list: CniConfList): number[] {
  const forward = list.plugins.map((_, i) => i);
  return command === 'DEL' ? forward.reverse() : forward;
}

/** Parses a plugin's success output; a malformed one is a berth-visible error. */
export function parseCniResult(plugin: string, stdout: string): CniResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new BerthError('E_CNI_RESULT', `CNI plugin ${plugin} printed a result that is not JSON: ${stdout.slice(0, 200)}`, {
      hint: 'check that the plugin binary is a CNI plugin (containernetworking-plugins)',
    });
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as CniResult).cniVersion !== 'string') {
    throw new BerthError('E_CNI_RESULT', `CNI plugin ${plugin} printed a result without cniVersion`, {
      hint: 'check that the plugin binary is a CNI plugin (containernetworking-plugins)',
    });
  }
  return parsed as CniResult;
}

// Hints by CNI error code (spec section "Error": well-known codes 1-7, 11; 999 is the plugins' "other").
const HINTS: Record<number, string> = {
  1: 'the plugin does not speak CNI 1.0.0: install containernetworking-plugins 1.0 or later',
  2: 'the network config has a field this plugin does not know: a berth bug, please report it',
  3: 'the container is unknown to the plugin: it may already be detached',
  4: 'a CNI_* variable is missing or wrong: a berth bug, please report it',
  5: 'the plugin could not read or write its state: check disk space and permissions of the berth state dir',
  6: 'the plugin could not decode its config: a berth bug, please report it',
  7: 'the network config is invalid: check the subnet of the network unit',
  11: 'the plugin asked to try again later: retry the command',
};

/** Turns a failed invocation's output into a CniError (or a plain BerthError when it is not CNI JSON). */
export function parseCniError(plugin: string, command: CniCommand, stdout: string, stderr: string, exitCode: number | null): BerthError {
  let body: CniErrorBody | undefined;
  try {
    const parsed = JSON.parse(stdout) as Partial<CniErrorBody>;
    if (typeof parsed.code === 'number' && typeof parsed.msg === 'string') body = parsed as CniErrorBody;
  } catch {
    // not JSON: handled below
  }
  if (!body) {
    const text = (stderr || stdout).trim().slice(0, 300) || `exit code ${exitCode}`;
    return new BerthError('E_CNI', `CNI plugin ${plugin} ${command} failed: ${text}`, {
      hint: 'run scripts/setup to (re)install containernetworking-plugins, then retry',
    });
  }
  let hint = HINTS[body.code] ?? 'see the message above; `iptables-save` and `ip link` show what the plugin set up';
  if (/netns|namespace/i.test(body.msg)) hint = 'the network namespace is missing or not a namespace: the container may have exited; start it again';
  else if (/iptables/i.test(body.msg)) hint = 'iptables failed: check that `iptables -t nat -S` works as root on this host';
  return new CniError(plugin, command, body, hint);
}

/** The address, gateway and MAC a result gives interface `ifName` inside the namespace. */
export function addressOf(result: CniResult, ifName: string): { ip: string; prefix: number; gateway: string; mac?: string } | undefined {
  const ifIndex = result.interfaces?.findIndex((i) => i.name === ifName && i.sandbox) ?? -1;
  const entry = result.ips?.find((ip) => ip.interface === ifIndex && ip.address.includes('.')) ?? result.ips?.find((ip) => ip.address.includes('.'));
  if (!entry) return undefined;
  const [ip, prefix] = entry.address.split('/');
  const mac = ifIndex >= 0 ? result.interfaces?.[ifIndex]?.mac : undefined;
  return { ip: ip ?? '', prefix: Number(prefix), gateway: entry.gateway ?? '', ...(mac ? { mac } : {}) };
}

/** The host-side veth a result created (the interface with no sandbox that is not the bridge). */
export function hostVethOf(result: CniResult, bridge: string): string | undefined {
  return result.interfaces?.find((i) => !i.sandbox && i.name !== bridge)?.name;
}

/** The versions berth can speak, best first (0.4.0 results differ only in fields berth ignores). */
export const SPOKEN_VERSIONS = [CNI_VERSION, '0.4.0'];

/**
 * The best version every plugin supports, from their VERSION replies
 * (`{"cniVersion":…,"supportedVersions":[…]}`); undefined when none is common.
 */
export function negotiateVersion(replies: Record<string, string>): string | undefined {
  const sets = Object.values(replies).map((out) => {
    try {
      return new Set((JSON.parse(out) as { supportedVersions?: string[] }).supportedVersions ?? []);
    } catch {
      return new Set<string>();
    }
  });
  return SPOKEN_VERSIONS.find((v) => sets.every((s) => s.has(v)));
}
