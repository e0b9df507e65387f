/**
 * The start path of a container, in order, each step undone by `teardown`
 * when a later one fails: dir → overlay dirs → user/command checks (read
 * from the layers) → netns → network attach → config.json → conmon, which
 * runs the create wrapper (overlay mounted in the container's own mount
 * namespace, then `RUNTIME run --detach`).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DriverError } from '../../errors.js';
import type { Handle, InstanceSpec } from '../driver.js';
import type { AttachRequest, Networker } from '../network/networker.js';
import { cgroupsPathOf } from './cgroup.js';
import { checkSpec } from './check-spec.js';
import { startConmon } from './conmon.js';
import { findExecutable, resolveInRoot } from './find-executable.js';
import { containerPaths, type ContainerHandleData } from './handle.js';
import { buildOciConfig, DEFAULT_PATH } from './oci-config.js';
import type { OciRuntime } from './oci-runtime.js';
import { prepareMountTargets, type MountTarget } from './mount-targets.js';
import { overlayOptions } from './overlay.js';
import { mountsFstab } from './create-wrapper.js';
import { createNetns } from './netns.js';
import { resolveUser } from './resolve-user.js';
import type { ContainerStep, TraceFn } from './trace.js';
import { deriveRlimits, parseProcLimits } from './rlimits.js';

/** Host settings for creating containers. */
export interface CreateContext {
  root: string;
  runtime: OciRuntime;
  conmon: string;
  networker?: Networker;
  logSizeMax: number;
  usernsRange: { hostId: number; size: number };
  trace?: TraceFn;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function fail(spec: InstanceSpec, code: string, message: string, hint?: string): never {
  throw new DriverError(code, message, { unit: spec.unit }, hint ? { hint } : {});
}

/** A user-namespaced runtime runs as an unprivileged host uid: every ancestor of the bundle must be searchable by others. */
function checkTraversable(spec: InstanceSpec, dir: string): void {
  chmodSync(dir, 0o711);
  chmodSync(dirname(dir), 0o711);
  for (let d = dirname(dirname(dir)); d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      fail(spec, 'E_USERNS_PATH', `userns: ${d} is not searchable by the container's mapped uid`, `chmod o+x ${d} (or use a state dir under a world-searchable path)`);
    }
  }
}

/** Writes the files bind-mounted at /etc/hostname, /etc/resolv.conf and (without networking) /etc/hosts. */
function writeEtcFiles(spec: InstanceSpec, p: ReturnType<typeof containerPaths>, networker?: Networker): void {
  writeFileSync(p.hostname, `${spec.hostname}\n`);
  // the networker's copy drops 127.x nameservers, which a container cannot reach
  const resolv = networker?.resolvConfFile?.() ?? '/etc/resolv.conf';
  if (existsSync(resolv)) copyFileSync(resolv, p.resolvConf);
  else writeFileSync(p.resolvConf, '');
  writeFileSync(p.hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${spec.hostname}\n`);
}

/** Where `init: true` mounts the init, as `docker run --init` mounts its own (on the runtime's /dev tmpfs, not in the image). */
export const INIT_PATH = '/dev/init';

/** A statically linked tini: runs in any image, with no libraries from it. */
const TINI = ['/usr/bin/tini-static', '/usr/local/bin/tini-static'];

/** The spec to run: with `init`, argv under tini (PID 1: forwards signals, reaps zombies), bind-mounted read-only. */
function withInit(spec: InstanceSpec): InstanceSpec {
  if (!spec.init) return spec;
  const tini = TINI.find((p) => existsSync(p));
  if (!tini) fail(spec, 'E_INIT_MISSING', 'run.init needs tini-static on the host, and it is not installed', 'apt-get install tini (scripts/setup does), or drop run.init');
  return { ...spec, argv: [INIT_PATH, '--', ...spec.argv], mounts: [...spec.mounts, { type: 'bind', source: tini, target: INIT_PATH, readonly: true }] };
}

/**
 * Creates and starts one container. On failure it throws after calling
 * `undo` (the caller's teardown), so nothing is left behind.
 */
export async function createContainer(ctx: CreateContext, spec: InstanceSpec, undo: (data: ContainerHandleData) => Promise<void>): Promise<Handle> {
  const caps = checkSpec(spec);
  for (const m of spec.mounts) {
    if (m.type === 'bind' && !existsSync(m.source)) fail(spec, 'E_MOUNT_SOURCE', `bind mount source does not exist: ${m.source}`, 'create the host directory, or fix the volume path');
  }
  for (const layer of spec.layers!) {
    if (!existsSync(layer)) fail(spec, 'E_LAYER_MISSING', `image layer directory is missing: ${layer}`, 'the image store lost it: pull or build the image again');
  }
  const mark = (step: ContainerStep) => ctx.trace?.(spec.id, step, performance.now());
  mark('checked');
  const p = containerPaths(ctx.root, spec.id);
  if (existsSync(p.dir)) fail(spec, 'E_CONTAINER_EXISTS', `container ${spec.id} already exists`, 'destroy it first, or use a new instance id');
  const data: ContainerHandleData = { root: ctx.root, conmonPid: 0, runtime: ctx.runtime.info.name, netnsPath: '', attach: null };
  mkdirSync(p.dir, { recursive: true });
  try {
    if (spec.userns) checkTraversable(spec, p.dir);
    mkdirSync(p.exitDir);
    mkdirSync(p.persistDir);
    for (const d of [p.upper, p.work, p.rootfs]) mkdirSync(d);
    // mounted by the create wrapper inside the container's mount namespace; the checks below read the layers
    const overlay = { options: overlayOptions(spec.layers!, { upper: p.upper, work: p.work, merged: p.rootfs }), target: p.rootfs };
    writeFileSync(p.mountsFstab, mountsFstab(overlay, ctx.runtime.create.hideControllersWith));
    const layers = [p.upper, ...spec.layers!];
    const fileOf = (path: string) => resolveInRoot(layers, path);
    const user = resolveUser(spec.user, readOr(fileOf('/etc/passwd') ?? '', ''), readOr(fileOf('/etc/group') ?? '', ''));
    if (!user.ok) fail(spec, 'E_BAD_USER', `cannot run as ${spec.user}: ${user.reason}`, 'use a user that exists in the image, or a numeric uid[:gid]');
    const command = spec.argv[0]!;
    const path = spec.env.PATH ?? DEFAULT_PATH;
    const binds = spec.mounts.flatMap((m) => (m.type === 'bind' ? [{ source: m.source, target: m.target }] : []));
    if (findExecutable(layers, command, path, spec.workdir ?? '/', binds) === null) {
      if (command.startsWith('/') && resolveInRoot(layers, command) !== null && !binds.some((b) => command.startsWith(`${b.target}/`))) {
        fail(spec, 'E_COMMAND_NOT_EXECUTABLE', `\`${command}\` in the image is not an executable file`, 'check run.command (or chmod +x it in the image)');
      }
      const where = command.includes('/') ? `at ${command} in the image` : "in the image's PATH";
      fail(spec, 'E_COMMAND_NOT_FOUND', `executable file \`${command}\` not found ${where}`, `check run.command, or the image's contents (PATH=${path})`);
    }
    writeEtcFiles(spec, p, ctx.networker);
    const run = withInit(spec);
    mark('rootfs-checked');
    let hosts = p.hosts;
    // Unattached containers get a fresh netns from the runtime (loopback only, brought up by crun/runc):
    // three fewer processes per start+destroy. Attached ones need ours, made before the runtime runs.
    if (ctx.networker && spec.network.attach.length > 0) {
      data.netnsPath = await createNetns(spec.id);
      const req: AttachRequest = { id: spec.id, netnsPath: data.netnsPath, networks: spec.network.attach, ports: spec.network.ports, hostname: spec.hostname, aliases: [spec.unit, spec.hostname] };
      data.attach = req;
      writeFileSync(p.handleFile, JSON.stringify({ id: spec.id, data }));
      const attached = await ctx.networker.attach(req);
      data.addresses = Object.fromEntries(attached.map((a) => [a.network, a.ip]));
      hosts = ctx.networker.hostsFile(spec.id);
    }
    mark('network-attached');
    const config = buildOciConfig({
      spec: run, user: user.user, caps, rootfs: p.rootfs, netnsPath: data.netnsPath,
      files: { hosts, resolvConf: p.resolvConf, hostname: p.hostname },
      cgroupsPath: cgroupsPathOf(spec.id),
      rlimits: deriveRlimits(parseProcLimits(readOr('/proc/self/limits', ''))),
      arch: process.arch,
      swapAccounting: existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || existsSync('/sys/fs/cgroup/cgroup.controllers'),
      usernsRange: ctx.usernsRange,
    });
    // what goes under /dev lands on the runtime's tmpfs there, not in the image
    prepareMountTargets(p.upper, spec.layers!, (config.mounts as MountTarget[]).filter((m) => !m.destination.startsWith('/dev/')));
    writeFileSync(p.config, JSON.stringify(config, null, 1));
    mark('config-written');
    const sync = await startConmon({
      conmon: ctx.conmon, id: spec.id, name: spec.id, runtimeArgv: ctx.runtime.create.argv, runtimeRoot: ctx.runtime.root,
      bundle: p.dir, pidFile: p.pidFile, conmonPidFile: p.conmonPidFile, logPath: p.logPath, logSizeMax: ctx.logSizeMax,
      exitDir: p.exitDir, persistDir: p.persistDir, socketDir: p.dir,
    });
    data.conmonPid = Number(readOr(p.conmonPidFile, '0').trim()) || 0;
    if (!sync.ok) fail(spec, 'E_RUNTIME_CREATE', `${ctx.runtime.info.name} could not create container ${spec.id}: ${sync.message}`, 'the runtime names what it could not do: check run.workdir, run.user and the volumes of the unit');
    const handle: Handle = { id: spec.id, unit: spec.unit, driver: 'container', pid: sync.pid, startedAt: Date.now(), logPath: p.logPath, data: { ...data } };
    writeFileSync(p.handleFile, JSON.stringify(handle));
    mark('started');
    return handle;
  } catch (err) {
    await undo(data).catch(() => { /* report the original error */ });
    if (err instanceof DriverError) throw err;
    throw new DriverError('E_CONTAINER_START', `cannot start container ${spec.id}: ${err instanceof Error ? err.message : String(err)}`, { unit: spec.unit, recoverable: true }, { cause: err });
  }
}
