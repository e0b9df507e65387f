/**
 * The OpenAPI document: complete for the core routes (request and response
 * schemas), served from the same app, and docs/openapi.json up to date.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/gen-openapi.js';

type Op = { tags?: string[]; parameters?: { in: string; name: string }[]; requestBody?: unknown; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, unknown> } };

const CORE_TAGS = ['system', 'units', 'apply', 'events'];
let text = '';
let doc: Doc;

test.before(async () => {
  text = await renderOpenApi();
  doc = JSON.parse(text) as Doc;
});

test('docs/openapi.json is what the app serves', () => {
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  if (committed === text) return;
  const old = JSON.parse(committed) as Doc;
  const routes = (d: Doc) => Object.entries(d.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  const added = routes(doc).filter((r) => !routes(old).includes(r));
  const gone = routes(old).filter((r) => !routes(doc).includes(r));
  assert.unreachable(`docs/openapi.json is stale: run node --import tsx scripts/gen-openapi.ts and commit it` +
    `${added.length ? `\n  new routes: ${added.join(', ')}` : ''}${gone.length ? `\n  removed: ${gone.join(', ')}` : ''}${!added.length && !gone.length ? '\n  (schemas changed)' : ''}`);
});

test('an OpenAPI 3 document with the shared schemas by name', () => {
  assert.match(doc.openapi, /^3\./);
  for (const name of ['Error', 'UnitView']) assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
});

test('every core route documents a 2xx JSON schema and its errors', () => {
  const missing: string[] = [];
  let core = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const ok = Object.entries(op.responses ?? {}).some(([code, r]) => /^2/.test(code) && r.content?.['application/json']?.schema);
      const errs = ['4XX', '5XX'].every((c) => op.responses?.[c]?.content?.['application/json']?.schema);
      const isCore = (op.tags ?? []).some((t) => CORE_TAGS.includes(t));
      if (isCore) core++;
      if (isCore && !(ok && errs)) missing.push(`${method.toUpperCase()} ${path}`);
      // other groups are reported, not failed: their owners add the schemas
      if (!isCore && !ok && !/^2/.test(Object.keys(op.responses ?? {}).join())) console.warn(`openapi: ${method.toUpperCase()} ${path} has no 2xx response schema`);
    }
  }
  assert.ok(core >= 14, `found only ${core} core routes`);
  assert.equal(missing, []);
});

test('path parameters, query strings and bodies are documented', () => {
  const exec = doc.paths['/v1/units/{name}/exec']!.post!;
  assert.ok(exec.requestBody, 'exec has a request body');
  assert.ok(exec.parameters?.some((p) => p.in === 'path' && p.name === 'name'));
  const events = doc.paths['/v1/events']!.get!;
  for (const q of ['since', 'follow', 'unit', 'type', 'limit']) assert.ok(events.parameters?.some((p) => p.in === 'query' && p.name === q), `events ?${q}`);
  assert.ok(events.responses?.['200']?.content?.['application/x-ndjson'], 'events streams NDJSON');
  assert.ok(events.responses?.['200']?.content?.['text/event-stream'], 'events streams SSE');
  assert.ok(doc.paths['/v1/apply']!.post!.requestBody);
});

test.run();
