/**
 * Writes docs/openapi.json from the same app the agent serves (core routes
 * plus every group in src/api/routes/index.ts), built on a stub context that
 * no route may call while registering. `--check` only compares and exits 1
 * when the committed file is stale.
 *
 *   node --import tsx scripts/gen-openapi.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ApiContext } from '../src/api/api-context.js';
import { agentRoutes } from '../src/api/routes/index.js';
import { buildApi } from '../src/api/server.js';

/** Where the committed document lives. */
export const OPENAPI_PATH = new URL('../docs/openapi.json', import.meta.url).pathname;

/** A context whose every use throws: documenting the API must not need an agent. */
function stubContext(): ApiContext {
  const fail = (what: string) => () => {
    throw new Error(`gen-openapi: a route used ctx.${what} while registering`);
  };
  return {
    agent: new Proxy({}, { get: (_t, key) => fail(`agent.${String(key)}`)() }) as ApiContext['agent'],
    info: fail('info'),
    uploadDir: fail('uploadDir'),
    log: () => undefined,
  };
}

/** The OpenAPI document as the agent would serve it at /v1/openapi.json, as text. */
export async function renderOpenApi(): Promise<string> {
  const app = await buildApi(stubContext(), { routes: agentRoutes });
  try {
    const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /v1/openapi.json answered ${res.statusCode}: ${res.body}`);
    return `${JSON.stringify(JSON.parse(res.body), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const text = await renderOpenApi();
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(OPENAPI_PATH, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (old !== text) {
      process.stderr.write(`${OPENAPI_PATH} is stale: run node --import tsx scripts/gen-openapi.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_PATH, text);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  }
}
