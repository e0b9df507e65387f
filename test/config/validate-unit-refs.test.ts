/** Folder-wide rules through validateUnitTexts: names, references, cycles, ports. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateUnitTexts } from '../../src/config/validate-unit-texts.js';

const svc = (name: string, extra = '') => ({ file: `${name}.yaml`, text: `name: ${name}\nkind: service\nimage: {from: busybox}\n${extra}` });
const job = (name: string, extra = '') => ({ file: `${name}.yaml`, text: `name: ${name}\nkind: job\nimage: {from: busybox}\n${extra}` });
const net = (name: string) => ({ file: `${name}.yaml`, text: `name: ${name}\nkind: network\n` });
const vol = (name: string) => ({ file: `${name}.yaml`, text: `name: ${name}\nkind: volume\n` });
const brief = (files: { file: string; text: string }[]) =>
  validateUnitTexts(files).errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code} ${e.path}: ${e.message}`);

test('a valid folder gives normalised units sorted by name and no errors', () => {
  const { units, errors } = validateUnitTexts([svc('web', 'after: {db: started}\n'), svc('db'), net('back'), vol('data')]);
  assert.equal(errors, []);
  assert.equal(units.map((u) => u.name), ['back', 'data', 'db', 'web']);
});

test('duplicate names: both files, each naming the other', () => {
  const out = brief([svc('web'), { file: 'web2.yaml', text: 'name: web\nkind: job\nimage: {from: x}\n' }]);
  assert.equal(out, [
    'web.yaml:1:7 E_DUPLICATE_NAME name: unit name `web` is also used in web2.yaml:1',
    'web2.yaml:1:7 E_DUPLICATE_NAME name: unit name `web` is also used in web.yaml:1',
  ]);
});

test('after: a unit that does not exist, with a suggestion', () => {
  assert.equal(brief([svc('web', 'after: {dv: started}\n'), svc('db')]), [
    'web.yaml:4:9 E_UNKNOWN_UNIT after.dv: `after` names unit `dv`, which does not exist — did you mean `db`?',
  ]);
});

test('after: completed only for jobs; healthy needs a health check; not networks', () => {
  const out = brief([svc('web', 'after: {db: completed, mig: healthy, back: started, ok: healthy}\n'), svc('db'), job('mig'), net('back'), svc('ok', 'health: {tcp: "127.0.0.1:1"}\n')]);
  assert.equal(out.map((l) => l.split(': ')[0]), [
    'web.yaml:4:13 E_AFTER_CONDITION after.db',
    'web.yaml:4:29 E_AFTER_CONDITION after.mig',
    'web.yaml:4:38 E_BAD_REF after.back',
  ]);
});

test('after: completed for a job is fine', () => {
  assert.equal(brief([svc('web', 'after: {mig: completed}\n'), job('mig')]), []);
});

test('dependency cycles are named', () => {
  const out = brief([svc('web', 'after: {db: started}\nhealth: {tcp: "h:1"}\n'), svc('db', 'after: {web: healthy}\n')]);
  assert.equal(out, ['db.yaml:4:9 E_CYCLE after.web: dependency cycle: db → web → db']);
});

test('network.attach: default, a network unit, or an error', () => {
  const out = brief([svc('web', 'network: {attach: [default, back, bakc, db]}\n'), svc('db'), net('back')]);
  assert.equal(out, [
    'web.yaml:4:35 E_UNKNOWN_NETWORK network.attach[2]: network `bakc` does not exist — did you mean `back`?',
    'web.yaml:4:41 E_UNKNOWN_NETWORK network.attach[3]: `db` is a service unit, not a network',
  ]);
});

test('named volumes: on demand, unless a near miss of a volume unit', () => {
  const out = brief([svc('web', 'volumes: [{name: cache, path: /c}, {name: dat, path: /d}, {name: data, path: /e}]\n'), vol('data')]);
  assert.equal(out, ['web.yaml:4:43 E_UNKNOWN_VOLUME volumes[1].name: volume `dat` is not a volume unit — did you mean `data`?']);
});

test('a host port published twice', () => {
  const out = brief([svc('a', 'network: {ports: ["8080:80"]}\n'), svc('b', 'network: {ports: ["127.0.0.1:8080:81", "8080:80/udp"]}\n')]);
  assert.equal(out, ['b.yaml:4:19 E_PORT_CONFLICT network.ports[0]: host port 8080/tcp is also published by `a` (a.yaml)']);
});

test('the same port on two different addresses is fine', () => {
  assert.equal(brief([svc('a', 'network: {ports: ["127.0.0.1:80:80"]}\n'), svc('b', 'network: {ports: ["127.0.0.2:80:80"]}\n')]), []);
});

test('a unit whose file has schema errors still counts as existing', () => {
  const out = brief([svc('web', 'after: {db: started}\n'), svc('db', 'restat: 1\n')]);
  assert.equal(out.map((l) => l.split(' ')[1]), ['E_UNKNOWN_KEY']);
});

test('references of a unit with schema errors are still checked', () => {
  const out = brief([svc('web', 'after: {dbb: started}\nrestat: 1\n'), svc('db')]);
  assert.equal(out.map((l) => l.split(' ')[1]), ['E_UNKNOWN_UNIT', 'E_UNKNOWN_KEY']);
});

test('errors are sorted by file, then line', () => {
  const out = brief([svc('b', 'restat: 1\nafter: {zz: started}\n'), svc('a', 'restat: 1\n')]);
  assert.equal(out.map((l) => l.split(' ')[0]), ['a.yaml:4:1', 'b.yaml:4:1', 'b.yaml:5:9']);
});

test('no units come back when any file has an error', () => {
  const { units, errors } = validateUnitTexts([svc('a'), svc('b', 'restat: 1\n')]);
  assert.is(errors.length, 1);
  assert.equal(units, []);
});

test.run();
