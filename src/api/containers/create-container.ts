/**
 * `createContainer`: the one path from a container request (berth API or
 * Docker API) to a supervised ad-hoc unit. Checks everything it can before
 * anything exists (flags, name, ports, image); a start that fails at once
 * (command missing in the image…) removes the unit again, so bad input
 * leaves nothing behind.
 */
import { createServer } from 'node:net';
import { BerthError } from '../../errors.js';
import type { PortSpec, UnitSpec } from '../../config/unit-spec.js';
import type { Agent, UnitView } from '../../supervisor/agent.js';
import { generateName } from './container-name.js';
import { containerSpec, type ContainerRequest } from './container-spec.js';

/** True when something on the host already listens on the port. */
function portBusy(p: PortSpec): Promise<boolean> {
  if (p.protocol !== 'tcp') return Promise.resolve(false);
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    srv.listen({ port: p.hostPort, host: p.hostIp || '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

const overlaps = (a: PortSpec, b: PortSpec) =>
  a.hostPort === b.hostPort && a.protocol === b.protocol && (!a.hostIp || !b.hostIp || a.hostIp === '0.0.0.0' || b.hostIp === '0.0.0.0' || a.hostIp === b.hostIp);

/** Throws E_PORT_TAKEN when another unit publishes, or a host process holds, a port of `spec`. */
async function checkPorts(agent: Agent, spec: UnitSpec): Promise<void> {
  for (const p of spec.network.ports) {
    const other = [...agent.units.values()].find((s) => s.spec.network.ports.some((q) => overlaps(p, q)));
    const where = `${p.hostIp || '0.0.0.0'}:${p.hostPort}/${p.protocol}`;
    if (other) throw new BerthError('E_PORT_TAKEN', `port ${where} is already published by unit ${other.name}`, { hint: 'publish another host port (-p OTHER:' + p.containerPort + ')' });
    if (await portBusy(p)) throw new BerthError('E_PORT_TAKEN', `port ${where} is already in use on this host`, { hint: `find who holds it: ss -ltnp 'sport = :${p.hostPort}'` });
  }
}

/** Creates (and by default starts) an ad-hoc unit from a request. */
export async function createContainer(agent: Agent, req: ContainerRequest, now = Date.now()): Promise<UnitView> {
  const name = req.name ?? generateName((n) => agent.units.has(n));
  if (agent.units.has(name)) {
    throw new BerthError('E_CONFLICT', `a unit named ${name} already exists`, { hint: `pick another --name, or remove it: berth rm -f ${name}` });
  }
  const networks = [...agent.units.values()].filter((s) => s.spec.kind === 'network').map((s) => s.name);
  const spec = containerSpec(req, name, { networks, now });
  await checkPorts(agent, spec);
  const start = req.start ?? true;
  const view = await agent.createUnit(spec, { start, autoRemove: req.rm ?? false });
  const sup = agent.units.get(name);
  const failed = sup && !sup.handle && sup.lastExit?.reason?.startsWith('failed to start');
  if (start && failed) {
    const reason = sup.lastExit!.reason!;
    await agent.removeUnit(name, { force: true }).catch(() => undefined);
    throw new BerthError('E_START_FAILED', `${name}: ${reason}`, { hint: 'check the image and the command (berth run IMAGE CMD…); nothing was left behind' });
  }
  return view;
}
