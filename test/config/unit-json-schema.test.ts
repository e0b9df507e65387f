/**
 * The JSON Schema for editors agrees with berth's own validation: checked
 * with a standalone Ajv (draft-07, strict), as yaml-language-server would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { pointerToPath } from '../../src/config/explain-ajv-errors.js';
import { parseUnitFile } from '../../src/config/parse-unit-file.js';
import { unitJsonSchema } from '../../src/config/unit-json-schema.js';
import { formatKeyPath } from '../../src/config/yaml-locator.js';

const root = new URL('../fixtures/units/', import.meta.url).pathname;
const schema = unitJsonSchema();
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

test('the schema is plain draft-07 JSON with a title and top-level descriptions', () => {
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.is(schema.title, 'berth unit');
  assert.equal(JSON.parse(JSON.stringify(schema)), schema); // no TypeBox symbols, nothing lost
  assert.is(Object.getOwnPropertySymbols(schema).length, 0);
  const props = schema.properties as Record<string, { description?: string }>;
  for (const [key, p] of Object.entries(props)) assert.ok(p.description, `${key} has no description`);
  assert.is(schema.additionalProperties, false);
});

test('env and secret names are checked by the schema too', () => {
  assert.not.ok(validate({ name: 'a', kind: 'service', run: { env: { '1BAD': 'x' } } }));
  assert.ok(validate({ name: 'a', kind: 'service', run: { env: { GOOD: 'x' } } }));
});

const texts = readdirSync(root)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(root, f), 'utf8') }));
const inline = [
  'name: web\nkind: service\nrestart: {policy: sometimes}\n',
  'name: web\nkind: service\nresources: {memory: 12 apples}\n',
  'name: web\nkind: service\nrun: {command: 5}\n',
  'name: web\nkind: job\nschedule: {cron: ""}\n',
  'name: web\nkind: service\nvolumes: [{tmpfs: 1x, path: /t}]\n',
].map((text, i) => ({ file: `inline-${i}.yaml`, text }));

for (const { file, text } of [...texts, ...inline]) {
  test(`editor schema and berth agree on ${file}`, () => {
    let data: unknown;
    try {
      data = parse(text);
    } catch {
      return; // YAML syntax errors never reach a schema
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
    const ours = parseUnitFile(text, file).errors;
    if (validate(data)) {
      // the editor accepts it: berth may only add its cross-field rules
      const schemaCodes = ours.filter((e) => ['E_UNKNOWN_KEY', 'E_TYPE', 'E_ENUM', 'E_DURATION', 'E_SIZE', 'E_PATTERN', 'E_NAME'].includes(e.code));
      assert.equal(schemaCodes.map((e) => e.message), []);
    } else {
      // the editor refuses it: berth reports every place the editor would
      const paths = new Set(ours.map((e) => e.path));
      for (const err of validate.errors ?? []) {
        let path = pointerToPath(err.instancePath);
        const extra = (err.params as { additionalProperty?: string; missingProperty?: string });
        if (extra.additionalProperty) path = [...path, extra.additionalProperty];
        if (extra.missingProperty) path = [...path, extra.missingProperty];
        const p = formatKeyPath(path);
        assert.ok([...paths].some((q) => q === p || q.startsWith(`${p}.`) || q.startsWith(`${p}[`) || p.startsWith(`${q}[`) || p.startsWith(`${q}.`)), `${file}: editor flags ${p || '(top)'}, berth flags ${[...paths].join(', ')}`);
      }
      assert.ok(ours.length > 0);
    }
  });
}

test.run();
