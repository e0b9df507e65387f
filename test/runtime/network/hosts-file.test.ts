import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHostsFile, writeInPlace } from '../../../src/runtime/network/hosts-file.js';
import { affectedBy, hostsFor } from '../../../src/runtime/network/hosts-sync.js';
import type { InstanceRecord } from '../../../src/runtime/network/network-state.js';
import { containerResolvConf, filterResolvConf } from '../../../src/runtime/network/resolv-conf.js';

const inst = (id: string, nets: [string, string][], aliases: string[] = [id]): InstanceRecord => ({
  id, netnsPath: `/run/netns/${id}`, hostname: `${id}-host`, aliases, ports: [],
  attachments: nets.map(([network, ip], i) => ({ network, ip, ifName: `eth${i}`, bridge: `berth-${network}`, confList: { cniVersion: '1.0.0', name: network, plugins: [] }, runtimeConfig: {} })),
});

test('render: localhost, own names on own addresses, peers sorted, no duplicate of own names', () => {
  const text = renderHostsFile({ hostname: 'web-1', aliases: ['web'], ips: ['10.89.1.2'] }, [
    { ip: '10.89.1.4', names: ['db', 'db-host'] },
    { ip: '10.89.1.3', names: ['cache'] },
    { ip: '10.89.1.9', names: ['web'] },
  ]);
  assert.is(text, [
    '# managed by berth: rewritten when a network member comes or goes',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    '10.89.1.2\tweb-1 web',
    '10.89.1.3\tcache',
    '10.89.1.4\tdb db-host',
    '',
  ].join('\n'));
});

test('render: names that are not hostnames are left out (no forged lines)', () => {
  const text = renderHostsFile({ hostname: 'ok', aliases: ['evil\n1.2.3.4 bank', 'two words'], ips: ['10.89.1.2'] }, [{ ip: '10.89.1.3', names: ['x y', 'peer'] }]);
  assert.not.match(text, /bank|words|x y/);
  assert.match(text, /10\.89\.1\.2\tok\n10\.89\.1\.3\tpeer\n/);
});

test('render: no network gives the hostname 127.0.1.1', () => {
  assert.match(renderHostsFile({ hostname: 'solo', aliases: [], ips: [] }, []), /127\.0\.1\.1\tsolo\n/);
});

test('hostsFor lists only members of shared networks, at the shared address', () => {
  const web = inst('web', [['front', '10.89.1.2']]);
  const db = inst('db', [['back', '10.89.2.3'], ['front', '10.89.1.3']], ['db', 'database']);
  const other = inst('other', [['back', '10.89.2.9']]);
  const text = hostsFor(web, [web, db, other]);
  assert.match(text, /10\.89\.1\.3\tdb database db-host\n/);
  assert.not.match(text, /other/);
  assert.not.match(text, /10\.89\.2\.3/);
  assert.equal(affectedBy(other, [web, db, other]).map((r) => r.id), ['db']);
});

test('writeInPlace keeps the inode (bind mounts keep seeing the file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-hosts-'));
  try {
    const f = join(dir, 'hosts');
    writeFileSync(f, 'a long first version of the file\n');
    const ino = statSync(f).ino;
    writeInPlace(f, 'short\n');
    assert.is(statSync(f).ino, ino);
    assert.is(readFileSync(f, 'utf8'), 'short\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const resolvCases: { what: string; host: string; upstream?: string; expect: string }[] = [
  { what: 'keeps remote servers and options, drops 127.x and ::1', host: 'search lan\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.2\noptions ndots:2\n', expect: 'search lan\nnameserver 10.0.0.2\noptions ndots:2\n' },
  { what: 'only local: systemd-resolved upstream file', host: 'nameserver 127.0.0.53\n', upstream: 'nameserver 192.0.2.53\n', expect: 'nameserver 192.0.2.53\n' },
  { what: 'only local, no upstream: public fallback', host: 'nameserver 127.0.0.1\n', expect: '\n# berth: the host has only local nameservers; using public ones\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n' },
];
for (const c of resolvCases) {
  test(`resolv.conf: ${c.what}`, () => {
    assert.is(containerResolvConf(c.host, c.upstream), c.expect);
  });
}

test('filterResolvConf counts what is left', () => {
  assert.is(filterResolvConf('nameserver 127.0.0.1\nnameserver 1.1.1.1\n').nameservers, 1);
});

test.run();
