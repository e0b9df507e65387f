/**
 * Runs every test file (test/**\/*.test.ts or .tsx) in its own Node process
 * (`node --import tsx FILE`), two at a time, each with a time limit, and
 * prints one closing line `N passed, N failed` counted from uvu's summaries.
 * Arguments filter files by substring: `npm test -- config image`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => a !== 'unit');
const limitMs = Number(process.env.BERTH_TEST_TIMEOUT_MS ?? 600_000);
const jobs = Number(process.env.BERTH_TEST_JOBS ?? 2);

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; ms: number; output: string; ok: boolean }

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[run-tests] ${relative(root, file)}: killed after ${limitMs} ms\n`;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = stripAnsi(output);
      const num = (label: string) => {
        const all = [...text.matchAll(new RegExp(`${label}:\\s+(\\d+)`, 'g'))];
        return all.reduce((sum, m) => sum + Number(m[1]), 0);
      };
      const total = num('Total');
      const passed = num('Passed');
      const skipped = num('Skipped');
      let failed = Math.max(0, total - passed); // uvu's Total does not count skipped tests
      const ok = code === 0 && failed === 0 && total > 0;
      if (!ok && failed === 0) failed = 1; // crashed, timed out or ran nothing
      resolve({ file: relative(root, file), passed, failed, skipped, ms: Date.now() - started, output: text, ok });
    });
  });
}

const files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const results: FileResult[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < files.length) {
    const file = files[next++]!;
    const r = await runFile(file);
    results.push(r);
    const mark = r.ok ? 'ok  ' : 'FAIL';
    process.stdout.write(`${mark} ${r.file}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)}s)\n`);
    if (!r.ok) process.stdout.write(r.output.split('\n').map((l) => `     | ${l}`).join('\n') + '\n');
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
const skipped = results.reduce((s, r) => s + r.skipped, 0);
process.stdout.write(`\n${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
