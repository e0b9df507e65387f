/**
 * `berth systemd install`: writes berth.service (agent-service.ts) and
 * enables it over D-Bus (Reload, then EnableUnitFiles) — the I/O half.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { AGENT_UNIT_PATH, renderAgentService, type AgentServiceOptions } from './agent-service.js';
import { SystemdManager } from './systemd-manager.js';

/** Options of an install. */
export interface InstallAgentOptions extends AgentServiceOptions {
  /** where to write the unit (default /etc/systemd/system/berth.service) */
  unitPath?: string;
  /** D-Bus address of the manager to enable it with (default BERTH_SYSTEMD_BUS or the system bus) */
  busAddress?: string;
  /** write and reload, but do not enable */
  noEnable?: boolean;
}

/** What install did. */
export interface InstallResult { path: string; text: string; changes: string[] }

/** The command that runs this berth, for ExecStart= (absolute paths: systemd starts it from /). */
export function currentBerthCommand(): string[] {
  const args: string[] = [process.execPath];
  const exec = process.execArgv;
  for (let i = 0; i < exec.length; i++) {
    const a = exec[i]!;
    if ((a === '--import' || a === '--loader') && exec[i + 1] && !isAbsolute(exec[i + 1]!) && !exec[i + 1]!.startsWith('file:')) {
      args.push(a, import.meta.resolve(exec[i + 1]!));
      i++;
    } else args.push(a);
  }
  if (process.argv[1]) args.push(resolve(process.argv[1]));
  return args;
}

/** Writes the unit file atomically, reloads systemd and enables the unit. */
export async function installAgentService(o: InstallAgentOptions): Promise<InstallResult> {
  const path = o.unitPath ?? AGENT_UNIT_PATH;
  const text = renderAgentService(o);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
  const m = await SystemdManager.connect(o.busAddress);
  try {
    await m.reload();
    const changes = o.noEnable ? [] : await m.enableUnitFiles([basename(path)]);
    if (!o.noEnable) await m.reload();
    return { path, text, changes };
  } finally { m.close(); }
}
