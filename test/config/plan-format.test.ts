import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planChanges } from '../../src/config/plan-changes.js';
import { formatPlan } from '../../src/config/plan-format.js';
import type { Plan } from '../../src/config/plan-types.js';
import { sha256, type RenderedFile } from '../../src/config/render-unit.js';
import { makeSpec } from './spec-helper.js';

/** Compares with test/golden/NAME; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: string): void {
  const path = new URL(`../golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, actual);
  assert.fixture(actual, readFileSync(path, 'utf8'));
}

const file = (dest: string, content: string, onChange: RenderedFile['onChange'] = 'reload'): RenderedFile =>
  ({ dest, content, mode: 0o644, onChange, src: `web${dest}.njk`, sha256: sha256(content) });
const observed = (f: RenderedFile) => ({ dest: f.dest, sha256: f.sha256, content: f.content, mode: f.mode });

const web = makeSpec('web', { after: [{ unit: 'db', condition: 'healthy' }] });
const db = makeSpec('db');
const worker = makeSpec('worker', { run: { command: ['sh', '-c', 'loop'] } });
const conf1 = file('/etc/httpd.conf', 'H:/www\nP:8080\nuser=admin\npassword=hunter22\n');
const conf2 = file('/etc/httpd.conf', 'H:/www\nP:8081\nuser=admin\npassword=hunter22\n');

function mixedPlan(): Plan {
  return planChanges(
    [
      { spec: db, files: [] },
      { spec: web, files: [conf2] },
      { spec: { ...worker, run: { ...worker.run, command: ['sh', '-c', 'loop2'] }, resources: { memoryBytes: 1 << 26 } }, files: [] },
      { spec: makeSpec('cache'), files: [] },
      { spec: { ...makeSpec('backup', { kind: 'job' }), labels: { tier: 'ops' } }, files: [] },
    ],
    [
      { spec: db, files: [] },
      { spec: web, files: [observed(conf1)] },
      { spec: worker, files: [] },
      { spec: makeSpec('backup', { kind: 'job' }), files: [] },
      { spec: makeSpec('legacy'), files: [] },
    ],
    { secretValues: ['hunter22'] },
  );
}

test('golden: a mixed plan', () => {
  const plan = mixedPlan();
  golden('plan-mixed.txt', formatPlan(plan, { color: false }));
  assert.not.match(formatPlan(plan), 'hunter22');
});

test('golden: a first apply creates everything, diffs from nothing', () => {
  const plan = planChanges([{ spec: web, files: [conf1] }, { spec: db, files: [] }], [], { secretValues: ['hunter22'] });
  golden('plan-create.txt', formatPlan(plan, { color: false }));
});

test('golden: nothing to do', () => {
  golden('plan-none.txt', formatPlan(planChanges([{ spec: db, files: [] }], [{ spec: db, files: [] }]), { color: false }));
});

test('color adds ANSI codes only when asked', () => {
  assert.match(formatPlan(mixedPlan(), { color: true }), '\x1b[33m');
  assert.not.match(formatPlan(mixedPlan(), { color: false }), '\x1b[');
});

test.run();
