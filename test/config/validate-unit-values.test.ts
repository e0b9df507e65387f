/** Value rules: what a pattern cannot say, checked beside the schema. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUnitFile } from '../../src/config/parse-unit-file.js';

const SVC = 'name: a\nkind: service\nimage: {from: x}\n';
const JOB = 'name: j\nkind: job\nimage: {from: x}\n';

const cases: [string, string, string[]][] = [
  ['ports in range are fine', `${SVC}network: {ports: ["1:65535", "0.0.0.0:80:80/udp"]}\n`, []],
  ['host port out of range', `${SVC}network: {ports: ["99999:80"]}\n`, ['E_PORT 4:19 network.ports[0]']],
  ['container port 0', `${SVC}network: {ports: ["80:0"]}\n`, ['E_PORT 4:19 network.ports[0]']],
  ['not an IP address', `${SVC}network: {ports: ["300.1.1.1:80:80"]}\n`, ['E_PORT 4:19 network.ports[0]']],
  ['a badly shaped port is reported once (by the schema)', `${SVC}network: {ports: ["x"]}\n`, ['E_PORT 4:19 network.ports[0]']],
  ['health tcp port range', `${SVC}health: {tcp: "db:70000"}\n`, ['E_PORT 4:15 health.tcp']],
  ['a good subnet', 'name: n\nkind: network\nsubnet: 10.89.0.0/24\n', []],
  ['subnet octets', 'name: n\nkind: network\nsubnet: 10.300.0.0/24\n', ['E_SUBNET 3:9 subnet']],
  ['subnet prefix', 'name: n\nkind: network\nsubnet: 10.0.0.0/31\n', ['E_SUBNET 3:9 subnet']],
  ['cron with seconds', `${JOB}schedule: {cron: "0 */5 * * * *"}\n`, []],
  ['cron macro', `${JOB}schedule: {cron: "@daily"}\n`, []],
  ['cron with too few fields', `${JOB}schedule: {cron: "* * *"}\n`, ['E_CRON 4:18 schedule.cron']],
  ['cron out of range', `${JOB}schedule: {cron: "0 25 * * *"}\n`, ['E_CRON 4:18 schedule.cron']],
  ['time zone', `${JOB}schedule: {cron: "0 3 * * *", timezone: Nowhere/Land}\n`, ['E_TIMEZONE 4:41 schedule.timezone']],
  ['max_delay below delay', `${SVC}restart: {policy: always, delay: 1m, max_delay: 10s}\n`, ['E_RANGE 4:49 restart.max_delay']],
  ['one mount point, two mounts', `${SVC}volumes: [{name: a, path: /d}, {tmpfs: true, path: /d}]\n`, ['E_DUPLICATE_MOUNT 4:52 volumes[1].path']],
  ['one file, two templates', `${SVC}templates: [{src: a.njk, dest: /etc/a}, {src: b.njk, dest: /etc/a}]\n`, ['E_DUPLICATE_DEST 4:60 templates[1].dest']],
  ['a template outside the unit folder', `${SVC}templates: [{src: ../x.njk, dest: /etc/x}]\n`, ['E_PATH 4:19 templates[0].src']],
  ['an absolute template', `${SVC}templates: [{src: /etc/passwd, dest: /etc/x}]\n`, ['E_PATH 4:19 templates[0].src']],
  ['a secret outside the secrets folder', `${SVC}secrets: {K: {file: /etc/shadow}}\n`, ['E_PATH 4:21 secrets.K.file']],
  ['value rules run beside schema errors', `${SVC}restat: 1\nnetwork: {ports: ["99999:80"]}\n`, ['E_UNKNOWN_KEY 4:1 restat', 'E_PORT 5:19 network.ports[0]']],
];

for (const [name, yaml, want] of cases) {
  test(name, () => {
    const { errors } = parseUnitFile(yaml, 'u.yaml');
    assert.equal(errors.map((e) => `${e.code} ${e.line}:${e.column} ${e.path}`).sort(), [...want].sort());
  });
}

test.run();
