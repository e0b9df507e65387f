/**
 * Containers on networks: the driver makes the netns, the Networker wires it
 * before the runtime starts, its hosts file is /etc/hosts, detach runs on
 * destroy. With the real CniNetworker: two containers talk by unit name and
 * a port published on 127.0.0.1 serves from the host. With a fake one: a
 * failing attach leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DriverError } from '../../../src/errors.js';
import type { Handle } from '../../../src/runtime/driver.js';
import { CniNetworker } from '../../../src/runtime/network/cni-networker.js';
import type { AttachRequest, Networker } from '../../../src/runtime/network/networker.js';
import { requireTool } from '../../helpers/require-tool.js';
import { busyboxSpec, leftovers, logLines, makeDriver, requireContainerTools, until } from './setup.js';
import { freePort } from '../../helpers/free-port.js';

requireContainerTools();
requireTool('iptables');
const test = suite('container networking');
const hex = randomBytes(3).toString('hex');


test('with CniNetworker: two containers talk by unit name; a 127.0.0.1 port serves from the host', async () => {
  let networker!: CniNetworker;
  const { driver, root, cleanup } = makeDriver((dir) => ({ networker: (networker = new CniNetworker({ root: dir })) }));
  const net = `bt${hex}`;
  const www = join(root, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), `hello ${hex}\n`);
  const port = await freePort();
  const handles: Handle[] = [];
  try {
    await networker.ensureNetwork({ name: net });
    const web = busyboxSpec(['httpd', '-f', '-p', '80', '-h', '/www'], {
      unit: `web${hex}`,
      mounts: [{ type: 'bind', source: www, target: '/www', readonly: true }],
      network: { attach: [net], ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }] },
    });
    const webHandle = await driver.start(web);
    handles.push(webHandle);
    const webStatus = await driver.inspect(webHandle);
    assert.match(webStatus.addresses?.[net] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    const client = busyboxSpec(['/bin/sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web${hex}/ && exit 0; sleep 0.3; done; exit 1`], {
      unit: `client${hex}`,
      network: { attach: [net], ports: [] },
    });
    const c = await driver.start(client);
    handles.push(c);
    const exit = await driver.wait(c);
    assert.equal(exit.code, 0, logLines(c.logPath).join('|'));
    assert.ok(logLines(c.logPath).includes(`hello ${hex}`));
    let body = '';
    assert.ok(await until(async () => {
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
        return true;
      } catch {
        return false;
      }
    }, 5000), 'published port answers');
    assert.equal(body, `hello ${hex}\n`);
  } finally {
    for (const h of handles) await driver.destroy(h);
    await networker.removeNetwork(net).catch(() => undefined);
    for (const h of handles) assert.equal(leftovers(h.id, root), []);
    await cleanup();
  }
});

/** A Networker that records calls, puts a veth pair into the netns, or fails. */
function fakeNetworker(hostsPath: string, failAttach = false) {
  const calls: string[] = [];
  const networker: Networker = {
    ensureNetwork: async () => undefined,
    removeNetwork: async () => undefined,
    async attach(req: AttachRequest) {
      calls.push(`attach ${req.id} ${req.netnsPath} ${req.networks.join(',')} ${req.aliases.join(',')}`);
      if (failAttach) throw new Error('no addresses left in 10.89.0.0/30');
      const { execFileSync } = await import('node:child_process');
      execFileSync('ip', ['-n', req.netnsPath.split('/').pop()!, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
      writeFileSync(hostsPath, `10.89.0.2\t${req.hostname} ${req.aliases.join(' ')}\n`);
      return [{ network: req.networks[0]!, interface: 'eth0', ip: '10.89.0.2', gateway: '10.89.0.1' }];
    },
    async detach(req: AttachRequest) {
      calls.push(`detach ${req.id}`);
    },
    hostsFile: () => hostsPath,
  };
  return { networker, calls };
}

test('the Networker is called with our netns before the runtime runs; its hosts file is /etc/hosts; detach on destroy', async () => {
  let calls: string[] = [];
  const { driver, root, cleanup } = makeDriver((dir) => {
    const fake = fakeNetworker(join(dir, 'fake-hosts'));
    calls = fake.calls;
    return { networker: fake.networker };
  });
  const spec = busyboxSpec(['/bin/sh', '-c', 'ls /sys/class/net | tr "\\n" " "; echo; cat /etc/hosts'], { unit: 'api', network: { attach: ['backend'], ports: [] } });
  const h = await driver.start(spec);
  try {
    await driver.wait(h);
    assert.equal(logLines(h.logPath), ['eth0 eth1 lo ', `10.89.0.2\t${spec.hostname} api ${spec.hostname}`]);
    assert.equal(calls, [`attach ${spec.id} /run/netns/berth-${spec.id} backend api,${spec.hostname}`]);
  } finally {
    await driver.destroy(h);
    await cleanup();
  }
  assert.equal(calls.at(-1), `detach ${spec.id}`);
  assert.equal(leftovers(spec.id, root), []);
});

test('a failing attach: one DriverError, detach called, nothing left', async () => {
  let calls: string[] = [];
  const { driver, root, cleanup } = makeDriver((dir) => {
    const fake = fakeNetworker(join(dir, 'h'), true);
    calls = fake.calls;
    return { networker: fake.networker };
  });
  const spec = busyboxSpec(['/bin/true'], { network: { attach: ['backend'], ports: [] } });
  try {
    await driver.start(spec);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, DriverError);
    assert.match((err as DriverError).message, /no addresses left/);
  }
  assert.equal(calls.map((c) => c.split(' ')[0]), ['attach', 'detach']);
  assert.equal(leftovers(spec.id, root), []);
  await cleanup();
});

test.run();
