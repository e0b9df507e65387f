#!/usr/bin/env node
// The `berth` command: runs the compiled CLI from dist/ (built by `npm ci`
// through the `prepare` script, or `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('berth: not built yet (dist/cli/main.js is missing)\nhint: run `npm run build` in the berth folder\n');
  process.exit(1);
}
await import(main);
