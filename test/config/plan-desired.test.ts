import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planChanges } from '../../src/config/plan-changes.js';
import { ConfigError } from '../../src/errors.js';
import { loadDesired, relativeToCwd } from '../../src/config/plan-desired.js';
import { formatPlan } from '../../src/config/plan-format.js';
import { formatRenderedFiles } from '../../src/config/render-format.js';
import { FACTS } from './spec-helper.js';

/** Compares with test/golden/NAME; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: string): void {
  const path = new URL(`../golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, actual);
  assert.fixture(actual, readFileSync(path, 'utf8'));
}

const units = new URL('../../units', import.meta.url).pathname;
const load = () => loadDesired(units, { secretsDir: '/nonexistent/secrets', facts: FACTS });

test('the example stack validates, renders and plans cleanly', async () => {
  const r = await load();
  assert.equal(r.errors.map((e) => `${e.location}: ${e.message}`), []);
  const plan = planChanges(r.desired, []);
  assert.equal(plan.actions.map((a) => `${a.kind} ${a.unit}`), ['create app', 'create data', 'create backup', 'create web', 'create worker']);
  const web = r.desired.find((d) => d.spec.name === 'web')!;
  assert.equal(web.spec.run.command, ['httpd', '-f', '-v', '-p', '8080', '-h', '/www', '-c', '/etc/httpd.conf']);
  assert.equal(web.spec.health?.check, { type: 'http', url: 'http://127.0.0.1:8080/' });
  assert.is(r.desired.find((d) => d.spec.name === 'worker')!.spec.run.env.INTERVAL, '5');
});

test('golden: berth render web on fixed host facts', async () => {
  const r = await load();
  const web = r.desired.find((d) => d.spec.name === 'web')!;
  golden('render-web.txt', formatRenderedFiles('web', web.files));
});

test('planning the stack against itself changes nothing', async () => {
  const r = await load();
  const observed = r.desired.map((d) => ({ spec: d.spec, files: d.files.map((f) => ({ dest: f.dest, sha256: f.sha256, content: f.content, mode: f.mode })) }));
  const plan = planChanges(r.desired, observed);
  assert.is(formatPlan(plan), 'No changes. 5 units unchanged.\n');
  const moreCpus = await loadDesired(units, { secretsDir: '/x', facts: { ...FACTS, cpus: 4 } });
  const after = planChanges(moreCpus.desired, observed);
  const web = after.actions.find((a) => a.unit === 'web')!;
  assert.is(web.kind, 'update', 'the page changed; its on_change is none');
  assert.match(web.diffs[0]!.unified, '+<tr><th>cpus</th><td>4</td></tr>');
});

test('errors under the working folder are shown relative to it, as berth validate shows them', () => {
  const e = new ConfigError('E_X', 'm', { file: '/work/units/web/a.njk', line: 2, column: 3, path: 'p' }, { hint: 'h' });
  const r = relativeToCwd(e, '/work');
  assert.equal([r.file, r.line, r.column, r.path, r.hint], ['units/web/a.njk', 2, 3, 'p', 'h']);
  assert.is(relativeToCwd(e, '/elsewhere'), e);
});

test.run();
