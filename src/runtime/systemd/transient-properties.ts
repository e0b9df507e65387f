/**
 * InstanceSpec → the properties of a transient systemd service (pure).
 * systemd's own Restart= is off: berth's restart policy and ledger sit on
 * top. CollectMode=inactive-or-failed lets systemd forget an ended unit.
 */
import { DbusVariant as V } from '../../systemd/dbus-transport.js';
import type { TransientProperty } from '../../systemd/systemd-manager.js';
import type { InstanceSpec } from '../driver.js';
import { LOG_WRAPPER_SOURCE } from './log-wrapper.js';

/** Where the wrapper's interpreter is (Debian's perl-base). */
export const PERL = '/usr/bin/perl';

/** Builds StartTransientUnit's properties for one instance. */
export function buildTransientProperties(spec: InstanceSpec, logPath: string, perl = PERL): TransientProperty[] {
  const argv = [perl, '-e', LOG_WRAPPER_SOURCE, '--', ...spec.argv];
  const props: TransientProperty[] = [
    ['Description', new V('s', `berth unit ${spec.unit} (${spec.id})`)],
    ['ExecStartEx', new V('a(sasas)', [[perl, argv, ['no-env-expand']]])],
    ['Environment', new V('as', Object.entries(spec.env).map(([k, v]) => `${k}=${v}`))],
    ['Type', new V('s', 'exec')],
    ['Restart', new V('s', 'no')],
    ['CollectMode', new V('s', 'inactive-or-failed')],
    ['KillMode', new V('s', 'mixed')],
    ['KillSignal', new V('i', 15)],
    ['StandardInput', new V('s', 'null')],
    ['StandardOutputFileToAppend', new V('s', logPath)],
    ['StandardErrorFileToAppend', new V('s', logPath)],
  ];
  if (spec.user) {
    const [user, group] = spec.user.split(':');
    props.push(['User', new V('s', user)]);
    if (group) props.push(['Group', new V('s', group)]);
  }
  if (spec.workdir) props.push(['WorkingDirectory', new V('s', spec.workdir)]);
  const r = spec.resources;
  if (r.memoryBytes) props.push(['MemoryMax', new V('t', BigInt(r.memoryBytes))]);
  if (r.pids) props.push(['TasksMax', new V('t', BigInt(r.pids))]);
  if (r.cpus) props.push(['CPUQuotaPerSecUSec', new V('t', BigInt(Math.round(r.cpus * 1_000_000)))]);
  return props;
}

/** What a systemd service cannot honour, said in inspect rather than silently dropped. */
export function ignoredParts(spec: InstanceSpec): string[] {
  const out: string[] = [];
  if (spec.layers?.length || spec.disk) out.push('image (runs on the host filesystem)');
  if (spec.mounts.length) out.push('volumes');
  if (spec.network.ports.length) out.push('ports (the service binds host ports itself)');
  if (spec.readonlyRootfs) out.push('read-only root');
  if (spec.init) out.push('init (systemd is the init)');
  if (spec.capAdd?.length || spec.capDrop?.length) out.push('capabilities');
  return out;
}
