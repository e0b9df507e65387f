/** Kind rules: keys per kind, what each kind needs, the "exactly one of" choices. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUnitFile } from '../../src/config/parse-unit-file.js';

const cases: [string, string, string[]][] = [
  // [name, yaml, expected "CODE line:col path" list]
  ['a service with an image is fine', 'name: a\nkind: service\nimage: {from: busybox}\n', []],
  ['schedule only for jobs', 'name: a\nkind: service\nimage: {from: x}\nschedule: {cron: "* * * * *"}\n', ['E_KIND_KEY 4:1 schedule']],
  ['subnet only for networks', 'name: a\nkind: service\nimage: {from: x}\nsubnet: 10.0.0.0/24\n', ['E_KIND_KEY 4:1 subnet']],
  ['a network takes no image', 'name: n\nkind: network\nimage: {from: x}\n', ['E_KIND_KEY 3:1 image']],
  ['a volume takes no run', 'name: v\nkind: volume\nrun: {command: x}\n', ['E_KIND_KEY 3:1 run']],
  ['a job has no health', 'name: j\nkind: job\nimage: {from: x}\nhealth: {tcp: "h:1"}\n', ['E_KIND_KEY 4:1 health']],
  ['a vm has no resources', 'name: v\nkind: vm\nimage: {from: x}\nresources: {cpus: 1}\n', ['E_KIND_KEY 4:1 resources']],
  ['a service needs an image', 'name: a\nkind: service\n', ['E_REQUIRED 2:7 kind']],
  ['a job needs an image', 'name: a\nkind: job\n', ['E_REQUIRED 2:7 kind']],
  ['a process needs no image but a command', 'name: a\nkind: service\nisolation: process\nrun: {command: "sleep 1"}\n', []],
  ['a process without a command', 'name: a\nkind: service\nisolation: process\n', ['E_REQUIRED 3:1 run.command']],
  ['a process has no network or volumes', 'name: a\nkind: service\nisolation: process\nrun: {command: x}\nnetwork: {ports: ["80:80"]}\nvolumes: []\n', ['E_KIND_KEY 5:1 network', 'E_KIND_KEY 6:1 volumes']],
  ['a systemd unit takes no image', 'name: a\nkind: service\nisolation: systemd\nimage: {from: x}\nrun: {command: [x]}\n', ['E_KIND_KEY 4:1 image']],
  ['a vm boots an image', 'name: v\nkind: vm\nimage: {from: x}\n', []],
  ['a vm boots a disk', 'name: v\nkind: vm\nvm: {disk: a.qcow2}\n', []],
  ['a vm needs one of them', 'name: v\nkind: vm\n', ['E_REQUIRED 2:7 kind']],
  ['a vm with both', 'name: v\nkind: vm\nimage: {from: x}\nvm: {disk: a.qcow2}\n', ['E_ONE_OF 4:6 vm.disk']],
  ['a vm runs as a vm', 'name: v\nkind: vm\nisolation: container\nimage: {from: x}\n', ['E_KIND_ISOLATION 3:12 isolation']],
  ['vm settings need isolation vm', 'name: a\nkind: service\nimage: {from: x}\nvm: {cpus: 2}\n', ['E_KIND_KEY 4:1 vm']],
  ['a service may run as a micro-VM', 'name: a\nkind: service\nisolation: vm\nimage: {from: x}\nvm: {cpus: 2}\n', []],
  ['context needs build', 'name: a\nkind: service\nimage: {from: x, context: .}\n', ['E_REQUIRED 3:18 image.context']],
  ['health needs a check', 'name: a\nkind: service\nimage: {from: x}\nhealth: {every: 5s}\n', ['E_ONE_OF 4:1 health']],
  ['health with exec and http', 'name: a\nkind: service\nimage: {from: x}\nhealth: {exec: [echo], http: "http://x/"}\n', ['E_ONE_OF 4:24 health.http']],
  ['a mount needs a source', 'name: a\nkind: service\nimage: {from: x}\nvolumes: [{path: /d}]\n', ['E_ONE_OF 4:11 volumes[0]']],
  ['a mount with two sources', 'name: a\nkind: service\nimage: {from: x}\nvolumes: [{name: d, tmpfs: true, path: /d}]\n', ['E_ONE_OF 4:21 volumes[0].tmpfs']],
  ['a secret needs a source', 'name: a\nkind: service\nimage: {from: x}\nsecrets: {TOKEN: {}}\n', ['E_ONE_OF 4:11 secrets.TOKEN']],
  ['ports need a network', 'name: a\nkind: service\nimage: {from: x}\nnetwork: {attach: [], ports: ["80:80"]}\n', ['E_PORT 4:23 network.ports']],
  ['kind rules also run beside schema errors', 'name: a\nkind: service\nimage: {from: x}\nsubnet: 999\nrestat: 1\n', ['E_KIND_KEY 4:1 subnet', 'E_TYPE 4:9 subnet', 'E_UNKNOWN_KEY 5:1 restat']],
];

for (const [name, yaml, want] of cases) {
  test(name, () => {
    const { errors } = parseUnitFile(yaml, 'u.yaml');
    const got = errors.map((e) => `${e.code} ${e.line}:${e.column} ${e.path}`).sort();
    assert.equal(got, [...want].sort());
  });
}

test.run();
